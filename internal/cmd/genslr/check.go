package main

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/catalog"
)

// IAM's limits.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html
const (
	maxServiceName = 128 // AWSServiceName
	maxRoleName    = 64
	maxPath        = 512
	slrPath        = "/aws-service-role/"
)

var (
	principalForm = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.amazonaws\.com$`)
	roleNameForm  = regexp.MustCompile(`^AWSServiceRoleFor[\w+=,.@-]+$`)
	docForm       = regexp.MustCompile(`^https://(docs\.aws\.amazon\.com|lightsail\.aws\.amazon\.com)/[^\s]+$`)
)

// policyReference is the AWS Managed Policy Reference page of a policy.
const policyReference = "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"

// check reports every entry that breaks a rule of the package doc.
func (d *data) check(c *catalog.Catalog) error {
	var errs []error
	bad := func(e entry, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", e.Service, fmt.Sprintf(format, args...)))
	}
	if len(d.Services) == 0 {
		return errors.New("no services")
	}
	for _, k := range []string{"page", "recorded", "policy"} {
		if d.SourceKinds[k] == "" {
			errs = append(errs, fmt.Errorf("sourceKinds: %q is not described", k))
		}
	}
	if !slices.IsSortedFunc(d.Services, func(a, b entry) int { return strings.Compare(a.Service, b.Service) }) {
		errs = append(errs, errors.New("services are not sorted by service principal"))
	}
	principals := map[string]bool{}
	roles := map[string]string{}
	for _, e := range d.Services {
		if !principalForm.MatchString(e.Service) || len(e.Service) > maxServiceName {
			bad(e, "not a service principal")
		}
		if principals[e.Service] {
			bad(e, "listed twice")
		}
		principals[e.Service] = true
		room := 0
		if e.CustomSuffix {
			room = 2 // "_" and one character
		}
		if !roleNameForm.MatchString(e.RoleName) || len(e.RoleName)+room > maxRoleName {
			bad(e, "role name %q is not a service-linked role name within %d characters", e.RoleName, maxRoleName)
		}
		if other, ok := roles[strings.ToLower(e.RoleName)]; ok {
			bad(e, "role name %s is also %s's", e.RoleName, other)
		}
		roles[strings.ToLower(e.RoleName)] = e.Service
		if len(slrPath+e.Service+"/") > maxPath {
			bad(e, "path too long")
		}
		if len(e.Policies) == 0 {
			bad(e, "no policy")
		}
		for _, a := range e.Policies {
			if p := c.ManagedPolicy(a); p == nil || p.ARN != a {
				bad(e, "policy %s is not an AWS managed policy of the catalog", a)
			}
		}
		if !docForm.MatchString(e.Doc) {
			bad(e, "doc %q is not an AWS documentation page", e.Doc)
		}
		if len(e.Sources) == 0 {
			bad(e, "no source")
		}
		for _, s := range e.Sources {
			if _, ok := d.SourceKinds[s]; !ok {
				bad(e, "unknown source %q", s)
			}
		}
		if !slices.Contains(e.Sources, "page") {
			if len(e.Policies) == 0 || e.Doc != policyReference+e.Policies[0][strings.LastIndexByte(e.Policies[0], '/')+1:]+".html" {
				bad(e, "no page found, so doc must be the policy's page in the AWS Managed Policy Reference")
			}
		}
	}
	for _, u := range d.Unconfirmed {
		if principals[u.Service] {
			errs = append(errs, fmt.Errorf("%s: both served and unconfirmed", u.Service))
		}
		if u.Why == "" {
			errs = append(errs, fmt.Errorf("%s: unconfirmed without a reason", u.Service))
		}
	}
	return errors.Join(errs...)
}
