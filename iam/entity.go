package iam

import (
	"strings"
	"time"
)

// Record kinds, as persisted in the store. Keys are the lower-cased
// entity name (IAM names are unique regardless of case), or as noted.
const (
	kindUser            = "user"
	kindGroup           = "group"
	kindRole            = "role"
	kindPolicy          = "policy"          // customer managed policies
	kindInstanceProfile = "instanceProfile" // instance profiles
	kindMFA             = "mfa"             // virtual MFA devices; key: serial number (ARN)
	kindSAML            = "saml"            // SAML providers; key: lower-cased name
	kindOIDC            = "oidc"            // OIDC providers; key: URL without scheme
	kindServerCert      = "serverCert"      // server certificates
	kindSettings        = "settings"        // the account's settings; key: "account"
	kindSLRDeletion     = "slrDeletion"     // service-linked role deletion tasks; key: task ID
)

// entity is a value stored as one record. Implementations are
// immutable once visible: clone, change, put.
type entity interface {
	kind() string
	key() string
}

// nameKey is the record key of a named entity.
func nameKey(name string) string { return strings.ToLower(name) }

// Tag is an IAM tag.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// user is an IAM user with everything that belongs to it alone but its
// credentials.
type user struct {
	Path     string    `json:"path"`
	Name     string    `json:"name"`
	ID       string    `json:"id"`
	Created  time.Time `json:"created"`
	Boundary string    `json:"boundary,omitempty"` // canonical policy ARN
	Tags     []Tag     `json:"tags,omitempty"`
	// Groups are the IDs of the groups the user is in, in the order added.
	Groups   []string          `json:"groups,omitempty"`
	Attached []string          `json:"attached,omitempty"` // canonical policy ARNs, in attach order
	Inline   map[string]string `json:"inline,omitempty"`   // policy name -> document as given
	// legacy holds the credentials of a record written while a user
	// record held them itself, until migrateCreds makes them records
	// of their own (credentials.go). It is never stored.
	legacy *userCreds
}

func (u *user) kind() string { return kindUser }
func (u *user) key() string  { return nameKey(u.Name) }

type group struct {
	Path     string            `json:"path"`
	Name     string            `json:"name"`
	ID       string            `json:"id"`
	Created  time.Time         `json:"created"`
	Attached []string          `json:"attached,omitempty"`
	Inline   map[string]string `json:"inline,omitempty"`
}

func (g *group) kind() string { return kindGroup }
func (g *group) key() string  { return nameKey(g.Name) }

type role struct {
	Path    string    `json:"path"`
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Trust   string    `json:"trust"` // the assume-role policy document as given
	// TrustIDs binds the IAM users and roles Trust names to their unique
	// IDs (see trust.go).
	TrustIDs    []trustBinding    `json:"trustIds,omitempty"`
	Description string            `json:"description,omitempty"`
	MaxSession  int32             `json:"maxSession"` // seconds
	Boundary    string            `json:"boundary,omitempty"`
	Tags        []Tag             `json:"tags,omitempty"`
	Attached    []string          `json:"attached,omitempty"`
	Inline      map[string]string `json:"inline,omitempty"`
	LastUsed    time.Time         `json:"lastUsed,omitzero"`
	LastRegion  string            `json:"lastRegion,omitempty"`
	// Service is the service principal of a service-linked role.
	Service string `json:"service,omitempty"`
}

func (r *role) kind() string { return kindRole }
func (r *role) key() string  { return nameKey(r.Name) }

type policyVersion struct {
	ID      string    `json:"id"` // v1, v2, ...
	Doc     string    `json:"doc"`
	Created time.Time `json:"created"`
}

// managedPolicy is a customer managed policy.
type managedPolicy struct {
	Path        string          `json:"path"`
	Name        string          `json:"name"`
	ID          string          `json:"id"`
	Created     time.Time       `json:"created"`
	Updated     time.Time       `json:"updated"`
	Description string          `json:"description,omitempty"`
	Versions    []policyVersion `json:"versions"`
	Default     string          `json:"default"` // version ID
	NextVersion int             `json:"nextVersion"`
	Tags        []Tag           `json:"tags,omitempty"`
}

func (p *managedPolicy) kind() string { return kindPolicy }
func (p *managedPolicy) key() string  { return nameKey(p.Name) }

func (p *managedPolicy) version(id string) *policyVersion {
	for i := range p.Versions {
		if p.Versions[i].ID == id {
			return &p.Versions[i]
		}
	}
	return nil
}

type instanceProfile struct {
	Path    string    `json:"path"`
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Roles   []string  `json:"roles,omitempty"` // role IDs
	Tags    []Tag     `json:"tags,omitempty"`
}

func (p *instanceProfile) kind() string { return kindInstanceProfile }
func (p *instanceProfile) key() string  { return nameKey(p.Name) }

// slrDeletion is a service-linked role deletion task, kept so that
// GetServiceLinkedRoleDeletionStatus can answer for it.
type slrDeletion struct {
	ID      string    `json:"id"` // task/aws-service-role/<service>/<role>/<uuid>
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

func (d *slrDeletion) kind() string { return kindSLRDeletion }
func (d *slrDeletion) key() string  { return d.ID }

// virtualMFA is a virtual MFA device, assigned to a user or not.
type virtualMFA struct {
	Serial  string    `json:"serial"` // canonical ARN
	Seed    []byte    `json:"seed"`   // sealed
	UserID  string    `json:"userId,omitempty"`
	Enabled time.Time `json:"enabled,omitzero"`
	Tags    []Tag     `json:"tags,omitempty"`
	// LastStep is the last TOTP time step used with the device, kept
	// while it is unassigned too, so a code is never accepted twice.
	LastStep int64 `json:"lastStep,omitempty"`
}

func (m *virtualMFA) kind() string { return kindMFA }
func (m *virtualMFA) key() string  { return m.Serial }

type samlProvider struct {
	Name       string    `json:"name"`
	UUID       string    `json:"uuid"`
	Metadata   string    `json:"metadata"` // the document as given
	Created    time.Time `json:"created"`
	ValidUntil time.Time `json:"validUntil,omitzero"`
	Tags       []Tag     `json:"tags,omitempty"`
	Encryption string    `json:"encryption,omitempty"` // Allowed | Required
	// EntityID and Certs are read from Metadata: the IdP's entity ID and
	// its signing certificates (DER), for sts:AssumeRoleWithSAML.
	EntityID    string           `json:"entityId"`
	Certs       [][]byte         `json:"certs"`
	PrivateKeys []samlPrivateKey `json:"privateKeys,omitempty"`
}

func (p *samlProvider) kind() string { return kindSAML }
func (p *samlProvider) key() string  { return nameKey(p.Name) }

type oidcProvider struct {
	URL         string    `json:"url"` // without https://
	ClientIDs   []string  `json:"clientIds,omitempty"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	Created     time.Time `json:"created"`
	Tags        []Tag     `json:"tags,omitempty"`
}

func (p *oidcProvider) kind() string { return kindOIDC }
func (p *oidcProvider) key() string  { return p.URL }

type serverCert struct {
	Path       string    `json:"path"`
	Name       string    `json:"name"`
	ID         string    `json:"id"`
	Body       string    `json:"body"`
	Chain      string    `json:"chain,omitempty"`
	PrivateKey []byte    `json:"privateKey"` // sealed
	Uploaded   time.Time `json:"uploaded"`
	Expiration time.Time `json:"expiration"`
	Tags       []Tag     `json:"tags,omitempty"`
}

func (c *serverCert) kind() string { return kindServerCert }
func (c *serverCert) key() string  { return nameKey(c.Name) }

// settings are an account's own settings.
type settings struct {
	Aliases        []string        `json:"aliases,omitempty"`
	PasswordPolicy *passwordPolicy `json:"passwordPolicy,omitempty"`
	// STSTokenVersion is the global endpoint token version (v1Token, v2Token).
	STSTokenVersion string `json:"stsTokenVersion,omitempty"`
	// RootPassword is the root user's argon2id hash.
	RootPassword string    `json:"rootPassword,omitempty"`
	RootCreated  time.Time `json:"rootCreated,omitzero"`
	// OutboundFederation says outbound web identity federation is on;
	// OutboundIssuerID is the UUID in its issuer URL, kept once made.
	OutboundFederation bool   `json:"outboundFederation,omitempty"`
	OutboundIssuerID   string `json:"outboundIssuerId,omitempty"`
}

func (s *settings) kind() string { return kindSettings }
func (s *settings) key() string  { return "account" }

type passwordPolicy struct {
	MinimumPasswordLength      int32 `json:"minLength"`
	RequireSymbols             bool  `json:"symbols"`
	RequireNumbers             bool  `json:"numbers"`
	RequireUppercaseCharacters bool  `json:"upper"`
	RequireLowercaseCharacters bool  `json:"lower"`
	AllowUsersToChangePassword bool  `json:"allowChange"`
	MaxPasswordAge             int32 `json:"maxAge,omitempty"`
	PasswordReusePrevention    int32 `json:"reuse,omitempty"`
	HardExpiry                 *bool `json:"hardExpiry,omitempty"` // nil: not given
}
