package iam

import (
	"context"
	"github.com/gatehouse/gatehouse/authn"
	"slices"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/policy"
)

// The account-level operations: the account alias, the account summary,
// the STS token preference, outbound web identity federation and the
// Organizations features of centralized root access. All of them act on
// the account as a whole: their resource is "*" in the Service
// Authorization Reference.

// Account quotas that no other family declares.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const maxPolicyVersionsInUse = 10000

// accountResource is the resource of the account-level actions.
const accountResource = "*"

// accountSettings returns a copy of the account's settings (zero if it
// has none yet), to be changed and put back whole.
func (t *txn) accountSettings() settings {
	if s, ok := get[*settings](t, kindSettings, "account"); ok {
		return *s
	}
	return settings{}
}

// changeSettings authorizes action on the account and stages what
// change makes of a copy of its settings.
func (svc *Service) changeSettings(ctx context.Context, r *authn.Request, action iamapi.Action, change func(t *txn, s *settings) error) error {
	return svc.update(ctx, r, func(t *txn) error {
		if err := t.authorize(action, accountResource, nil); err != nil {
			return err
		}
		s := t.accountSettings()
		if err := change(t, &s); err != nil {
			return err
		}
		t.put(&s)
		return nil
	})
}

// aliasTaken reports whether any account the server holds has the alias:
// account aliases are unique across all of AWS.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
func (t *txn) aliasTaken(alias string) bool {
	if slices.Contains(t.accountSettings().Aliases, alias) {
		return true
	}
	for id, a := range t.base.accounts {
		if id == t.acct {
			continue
		}
		if s, ok := a.tables[kindSettings]["account"].(*settings); ok && slices.Contains(s.Aliases, alias) {
			return true
		}
	}
	return false
}

// CreateAccountAlias sets the account's alias. An account has one alias:
// a new one replaces the old; a name any account already holds is
// EntityAlreadyExists. The model's pattern has been checked by the decoder.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccountAlias.html
func (svc *Service) CreateAccountAlias(ctx context.Context, r *authn.Request, in *iamapi.CreateAccountAliasInput) (*iamapi.CreateAccountAliasOutput, error) {
	return &iamapi.CreateAccountAliasOutput{}, svc.changeSettings(ctx, r, iamapi.ActionCreateAccountAlias, func(t *txn, s *settings) error {
		if t.aliasTaken(in.AccountAlias) {
			return iamapi.EntityAlreadyExists("The account alias %s already exists.", in.AccountAlias)
		}
		s.Aliases = []string{in.AccountAlias}
		return nil
	})
}

// DeleteAccountAlias removes the account's alias, which must be the one
// named.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccountAlias.html
func (svc *Service) DeleteAccountAlias(ctx context.Context, r *authn.Request, in *iamapi.DeleteAccountAliasInput) (*iamapi.DeleteAccountAliasOutput, error) {
	return &iamapi.DeleteAccountAliasOutput{}, svc.changeSettings(ctx, r, iamapi.ActionDeleteAccountAlias, func(_ *txn, s *settings) error {
		if !slices.Contains(s.Aliases, in.AccountAlias) {
			return iamapi.NoSuchEntity("The account alias %s cannot be found.", in.AccountAlias)
		}
		s.Aliases = slices.DeleteFunc(slices.Clone(s.Aliases), func(a string) bool { return a == in.AccountAlias })
		if len(s.Aliases) == 0 {
			s.Aliases = nil
		}
		return nil
	})
}

// ListAccountAliases lists the account's alias (there is at most one).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccountAliases.html
func (svc *Service) ListAccountAliases(ctx context.Context, r *authn.Request, in *iamapi.ListAccountAliasesInput) (*iamapi.ListAccountAliasesOutput, error) {
	var out *iamapi.ListAccountAliasesOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionListAccountAliases, accountResource, nil); err != nil {
			return err
		}
		aliases := slices.Sorted(slices.Values(t.accountSettings().Aliases))
		page, marker, truncated, err := paginate("ListAccountAliases", aliases, func(a string) string { return a }, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out = &iamapi.ListAccountAliasesOutput{AccountAliases: append([]string{}, page...), Marker: marker, IsTruncated: boolPtr(truncated)}
		return nil
	})
	return out, err
}

// tableOf returns the visible entities of kind in the account. Only for
// read-only views: a write's staged entities are not in it.
func (t *txn) tableOf(kind string) map[string]entity {
	if a := t.base.accounts[t.acct]; a != nil {
		return a.tables[kind]
	}
	return nil
}

// GetAccountSummary reports the account's entity usage and IAM quotas,
// with every key of AWS's SummaryMap. Counts come from the state.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html
func (svc *Service) GetAccountSummary(ctx context.Context, r *authn.Request, _ *iamapi.GetAccountSummaryInput) (*iamapi.GetAccountSummaryOutput, error) {
	var out *iamapi.GetAccountSummaryOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionGetAccountSummary, accountResource, nil); err != nil {
			return err
		}
		s := t.accountSettings()
		// Every managed-policy attachment to a user, group or role puts
		// a policy version in use; MFA devices are the virtual devices
		// plus the other (hardware) devices enabled for users.
		inUse, mfaInUse, hardware := 0, 0, 0
		virtual := t.tableOf(kindMFA)
		for _, e := range t.tableOf(kindUser) {
			inUse += len(e.(*user).Attached)
		}
		for _, e := range t.tableOf(kindMFAEnabled) {
			mfaInUse++
			if _, ok := virtual[e.(*mfaDevice).Serial]; !ok {
				hardware++
			}
		}
		for _, e := range t.tableOf(kindGroup) {
			inUse += len(e.(*group).Attached)
		}
		for _, e := range t.tableOf(kindRole) {
			inUse += len(e.(*role).Attached)
		}
		tokenVersion := 1
		if s.STSTokenVersion == iamapi.GlobalEndpointTokenVersionV2Token {
			tokenVersion = 2
		}
		passwordPresent := 0
		if s.RootPassword != "" {
			passwordPresent = 1
		}
		m := map[string]int{
			"Users":                             len(t.tableOf(kindUser)),
			"UsersQuota":                        maxUsers,
			"Groups":                            len(t.tableOf(kindGroup)),
			"GroupsQuota":                       maxGroups,
			"Roles":                             len(t.tableOf(kindRole)),
			"RolesQuota":                        maxRoles,
			"Policies":                          len(t.tableOf(kindPolicy)),
			"PoliciesQuota":                     maxPolicies,
			"PolicySizeQuota":                   policy.Managed.SizeQuota(),
			"PolicyVersionsInUse":               inUse,
			"PolicyVersionsInUseQuota":          maxPolicyVersionsInUse,
			"VersionsPerPolicyQuota":            maxPolicyVersions,
			"ServerCertificates":                len(t.tableOf(kindServerCert)),
			"ServerCertificatesQuota":           maxServerCerts,
			"InstanceProfiles":                  len(t.tableOf(kindInstanceProfile)),
			"InstanceProfilesQuota":             maxInstanceProfiles,
			"Providers":                         len(t.tableOf(kindSAML)) + len(t.tableOf(kindOIDC)),
			"MFADevices":                        len(virtual) + hardware,
			"MFADevicesInUse":                   mfaInUse,
			"AccountMFAEnabled":                 0, // the root user has no MFA device here
			"AccountAccessKeysPresent":          0, // Gatehouse never gives the root user access keys
			"AccountPasswordPresent":            passwordPresent,
			"AccountSigningCertificatesPresent": 0, // nor signing certificates
			"AccessKeysPerUserQuota":            maxAccessKeys,
			"AttachedPoliciesPerGroupQuota":     maxAttachedPolicies,
			"AttachedPoliciesPerRoleQuota":      maxAttachedPolicies,
			"AttachedPoliciesPerUserQuota":      maxAttachedPolicies,
			"GroupPolicySizeQuota":              policy.InlineGroup.SizeQuota(),
			"UserPolicySizeQuota":               policy.InlineUser.SizeQuota(),
			"RolePolicySizeQuota":               policy.InlineRole.SizeQuota(),
			"AssumeRolePolicySizeQuota":         policy.Trust.SizeQuota(),
			"GroupsPerUserQuota":                maxGroupsPerUser,
			"SigningCertificatesPerUserQuota":   maxSigningCerts,
			"GlobalEndpointTokenVersion":        tokenVersion,
		}
		out = &iamapi.GetAccountSummaryOutput{SummaryMap: make(map[string]int32, len(m))}
		for k, v := range m {
			out.SummaryMap[k] = int32(v)
		}
		return nil
	})
	return out, err
}

// SetSecurityTokenServicePreferences sets the version of the tokens the
// global STS endpoint issues (v1Token or v2Token, checked by the decoder).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetSecurityTokenServicePreferences.html
func (svc *Service) SetSecurityTokenServicePreferences(ctx context.Context, r *authn.Request, in *iamapi.SetSecurityTokenServicePreferencesInput) (*iamapi.SetSecurityTokenServicePreferencesOutput, error) {
	return &iamapi.SetSecurityTokenServicePreferencesOutput{}, svc.changeSettings(ctx, r, iamapi.ActionSetSecurityTokenServicePreferences, func(_ *txn, s *settings) error {
		s.STSTokenVersion = in.GlobalEndpointTokenVersion
		return nil
	})
}

// issuerURL is the account's outbound federation issuer as AWS forms it:
// https://<uuid>.tokens.sts.global.api.aws.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html
func issuerURL(id string) string {
	return "https://" + id + ".tokens.sts.global.api.aws"
}

// EnableOutboundWebIdentityFederation turns outbound web identity
// federation on and returns the account's issuer URL. The issuer is made
// on first use and kept, so it stays the same across restarts and
// disable/enable.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html
func (svc *Service) EnableOutboundWebIdentityFederation(ctx context.Context, r *authn.Request, _ *iamapi.EnableOutboundWebIdentityFederationInput) (*iamapi.EnableOutboundWebIdentityFederationOutput, error) {
	var out *iamapi.EnableOutboundWebIdentityFederationOutput
	err := svc.changeSettings(ctx, r, iamapi.ActionEnableOutboundWebIdentityFederation, func(_ *txn, s *settings) error {
		if s.OutboundFederation {
			return iamapi.FeatureEnabled("The request failed because outbound identity federation is already enabled for your AWS account.")
		}
		if s.OutboundIssuerID == "" {
			s.OutboundIssuerID = newUUID()
		}
		s.OutboundFederation = true
		out = &iamapi.EnableOutboundWebIdentityFederationOutput{IssuerIdentifier: issuerURL(s.OutboundIssuerID)}
		return nil
	})
	return out, err
}

// errFederationDisabled is AWS's FeatureDisabled error.
func errFederationDisabled() error {
	return iamapi.FeatureDisabled("The request failed because outbound identity federation is disabled for your AWS account.")
}

// DisableOutboundWebIdentityFederation turns outbound web identity
// federation off.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DisableOutboundWebIdentityFederation.html
func (svc *Service) DisableOutboundWebIdentityFederation(ctx context.Context, r *authn.Request, _ *iamapi.DisableOutboundWebIdentityFederationInput) (*iamapi.DisableOutboundWebIdentityFederationOutput, error) {
	return &iamapi.DisableOutboundWebIdentityFederationOutput{}, svc.changeSettings(ctx, r, iamapi.ActionDisableOutboundWebIdentityFederation, func(_ *txn, s *settings) error {
		if !s.OutboundFederation {
			return errFederationDisabled()
		}
		s.OutboundFederation = false
		return nil
	})
}

// GetOutboundWebIdentityFederationInfo returns the issuer URL while the
// feature is on.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetOutboundWebIdentityFederationInfo.html
func (svc *Service) GetOutboundWebIdentityFederationInfo(ctx context.Context, r *authn.Request, _ *iamapi.GetOutboundWebIdentityFederationInfoInput) (*iamapi.GetOutboundWebIdentityFederationInfoOutput, error) {
	var out *iamapi.GetOutboundWebIdentityFederationInfoOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionGetOutboundWebIdentityFederationInfo, accountResource, nil); err != nil {
			return err
		}
		s := t.accountSettings()
		if !s.OutboundFederation {
			return errFederationDisabled()
		}
		out = &iamapi.GetOutboundWebIdentityFederationInfoOutput{IssuerIdentifier: issuerURL(s.OutboundIssuerID), JwtVendingEnabled: boolPtr(true)}
		return nil
	})
	return out, err
}

// noOrganization authorizes an Organizations feature action and answers
// as AWS does for an account outside an organization. Gatehouse has no
// AWS Organizations yet (a later issue adds it), so every account is
// outside one: after authorization, these operations can only return
// OrganizationNotFoundException (HTTP 400) with AWS's documented message.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOrganizationsFeatures.html#API_ListOrganizationsFeatures_Errors
func (svc *Service) noOrganization(ctx context.Context, r *authn.Request, action iamapi.Action) error {
	return svc.view(r, func(t *txn) error {
		if err := t.authorize(action, accountResource, nil); err != nil {
			return err
		}
		return iamapi.OrganizationNotFound("The request was rejected because no organization is associated with your account.")
	})
}

// ListOrganizationsFeatures lists the centralized root access features
// of the account's organization; see noOrganization.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOrganizationsFeatures.html
func (svc *Service) ListOrganizationsFeatures(ctx context.Context, r *authn.Request, _ *iamapi.ListOrganizationsFeaturesInput) (*iamapi.ListOrganizationsFeaturesOutput, error) {
	return nil, svc.noOrganization(ctx, r, iamapi.ActionListOrganizationsFeatures)
}

// EnableOrganizationsRootCredentialsManagement; see noOrganization.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOrganizationsRootCredentialsManagement.html
func (svc *Service) EnableOrganizationsRootCredentialsManagement(ctx context.Context, r *authn.Request, _ *iamapi.EnableOrganizationsRootCredentialsManagementInput) (*iamapi.EnableOrganizationsRootCredentialsManagementOutput, error) {
	return nil, svc.noOrganization(ctx, r, iamapi.ActionEnableOrganizationsRootCredentialsManagement)
}

// DisableOrganizationsRootCredentialsManagement; see noOrganization.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DisableOrganizationsRootCredentialsManagement.html
func (svc *Service) DisableOrganizationsRootCredentialsManagement(ctx context.Context, r *authn.Request, _ *iamapi.DisableOrganizationsRootCredentialsManagementInput) (*iamapi.DisableOrganizationsRootCredentialsManagementOutput, error) {
	return nil, svc.noOrganization(ctx, r, iamapi.ActionDisableOrganizationsRootCredentialsManagement)
}

// EnableOrganizationsRootSessions; see noOrganization.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOrganizationsRootSessions.html
func (svc *Service) EnableOrganizationsRootSessions(ctx context.Context, r *authn.Request, _ *iamapi.EnableOrganizationsRootSessionsInput) (*iamapi.EnableOrganizationsRootSessionsOutput, error) {
	return nil, svc.noOrganization(ctx, r, iamapi.ActionEnableOrganizationsRootSessions)
}

// DisableOrganizationsRootSessions; see noOrganization.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DisableOrganizationsRootSessions.html
func (svc *Service) DisableOrganizationsRootSessions(ctx context.Context, r *authn.Request, _ *iamapi.DisableOrganizationsRootSessionsInput) (*iamapi.DisableOrganizationsRootSessionsOutput, error) {
	return nil, svc.noOrganization(ctx, r, iamapi.ActionDisableOrganizationsRootSessions)
}
