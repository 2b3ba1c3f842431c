package lint

import (
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/catalog"
)

// Resource ARN checks against the ARN formats of the Service
// Authorization Reference (the catalog's resource types).

// arnIndex groups the catalog's ARN formats by the service field of the
// ARN (which is not always the service's action prefix).
type arnIndex struct {
	services map[string]*arnService
	lower    map[string]string // lower-case service field → as written
}

// arnService is what the formats of one ARN service say.
type arnService struct {
	name          string
	formats       []arnFormat
	regionAlways  bool // every format has a region
	regionNever   bool // no format has one
	accountAlways bool
	accountNever  bool
}

// arnFormat is one ARN format as a glob: literal text, '*' for a
// placeholder.
type arnFormat struct {
	glob string
}

// newARNIndex reads the ARN formats of every resource type of cat.
func newARNIndex(cat *catalog.Catalog) *arnIndex {
	x := &arnIndex{services: map[string]*arnService{}, lower: map[string]string{}}
	for _, s := range cat.Services() {
		for _, rt := range s.ResourceTypes {
			for _, f := range rt.ARNFormats {
				parts := strings.SplitN(f, ":", 6)
				if len(parts) < 6 || parts[0] != "arn" {
					continue
				}
				svc := x.services[parts[2]]
				if svc == nil {
					svc = &arnService{name: parts[2], regionAlways: true, regionNever: true, accountAlways: true, accountNever: true}
					x.services[parts[2]] = svc
					x.lower[strings.ToLower(parts[2])] = parts[2]
				}
				svc.formats = append(svc.formats, arnFormat{glob: formatGlob(f)})
				if parts[3] == "" {
					svc.regionAlways = false
				} else {
					svc.regionNever = false
				}
				if parts[4] == "" {
					svc.accountAlways = false
				} else {
					svc.accountNever = false
				}
			}
		}
	}
	return x
}

// formatGlob turns the ${Placeholder}s of a catalog ARN format, or the
// policy variables of a resource ARN, into '*'.
func formatGlob(f string) string {
	var b strings.Builder
	for {
		i := strings.Index(f, "${")
		if i < 0 {
			b.WriteString(f)
			return b.String()
		}
		j := strings.IndexByte(f[i:], '}')
		if j < 0 {
			b.WriteString(f)
			return b.String()
		}
		b.WriteString(f[:i])
		b.WriteByte('*')
		f = f[i+j+1:]
	}
}

// checkResourceARN checks a Resource or NotResource entry.
func (l *linter) checkResourceARN(r lval) {
	if r.s == "*" {
		return
	}
	parts := strings.SplitN(r.s, ":", 6)
	if len(parts) < 2 {
		return // IAM rejects it ("must be in ARN format")
	}
	if parts[0] != "arn" {
		l.add("INVALID_ARN_PREFIX", "Add the required prefix (arn) to the resource ARN.", r.path)
		return
	}
	if len(parts) < 6 {
		l.add("MISSING_ARN_FIELD", "Resource ARNs must include at least 6 fields in the following structure: "+
			"arn:partition:service:region:account:resource", r.path)
		return
	}
	// MISSING_ARN_ACCOUNT is not reported: the formats of the Service
	// Authorization Reference cannot tell the resources AWS owns, whose
	// ARNs have no account (SSM's public documents, automation
	// definitions and parameters: arn:aws:ssm:*::document/AWS-*), and
	// on the AWS managed policies Access Analyzer no longer reports it.
	service, region, account := parts[2], parts[3], parts[4]
	if service == "" || strings.Contains(service, "${") {
		return
	}
	if strings.ContainsAny(service, "*?") {
		l.add("WILDCARD_IN_SERVICE_NAME", "Avoid using wildcards (*, ?) in the service name because it might grant "+
			"unintended access to other AWS services with similar names.", r.path)
		return
	}
	x := l.arns()
	svc := x.services[service]
	if svc == nil {
		if w, ok := x.lower[strings.ToLower(service)]; ok && w != service {
			l.add("INVALID_ARN_SERVICE_CASE", "Update the service name "+service+" in the resource ARN to use all lowercase letters.", r.path)
			return
		}
		// Recorded: "The service elastic-inference does not exist.
		// Use a valid service name." on a Resource entry.
		l.add("INVALID_SERVICE", "The service "+service+" does not exist. Use a valid service name.", r.path)
		return
	}
	wild := func(s string) bool { return strings.ContainsAny(s, "*?") || strings.Contains(s, "${") }
	switch {
	case region == "" && svc.regionAlways:
		// Recorded: "Add a Region to the logs resource ARN."
		l.add("MISSING_ARN_REGION", "Add a Region to the "+service+" resource ARN.", r.path)
		return
	case region != "" && !wild(region) && svc.regionNever:
		l.add("ARN_REGION_NOT_ALLOWED", "The service "+service+" does not support specifying a Region in the resource ARN.", r.path)
		return
	case account != "" && !wild(account) && svc.accountNever:
		l.add("ARN_ACCOUNT_NOT_ALLOWED", "The service "+service+" does not support specifying an account ID in the resource ARN.", r.path)
		return
	case account != "" && !wild(account) && account != "aws" && !arn.IsAccountID(account):
		l.add("INVALID_ARN_ACCOUNT", "The resource ARN account ID "+account+" is not valid. Provide a 12-digit account ID.", r.path)
		return
	}
	g := formatGlob(r.s)
	for _, f := range svc.formats {
		if globsIntersect(g, f.glob) {
			return
		}
	}
	l.add("INVALID_ARN_RESOURCE", "Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.", r.path)
}

// globsIntersect reports whether some text matches both globs ('*' any
// run, '?' one character, anything else itself): a search of the product
// of the two patterns.
func globsIntersect(a, b string) bool {
	type state struct{ i, j int }
	seen := make(map[state]bool)
	var visit func(i, j int) bool
	visit = func(i, j int) bool {
		s := state{i, j}
		if seen[s] {
			return false
		}
		seen[s] = true
		if i == len(a) && j == len(b) {
			return true
		}
		if i < len(a) && a[i] == '*' && visit(i+1, j) {
			return true
		}
		if j < len(b) && b[j] == '*' && visit(i, j+1) {
			return true
		}
		if i == len(a) || j == len(b) {
			return false
		}
		ca, cb := a[i], b[j]
		if ca != '*' && ca != '?' && cb != '*' && cb != '?' && ca != cb {
			return false
		}
		ni, nj := i, j
		if ca != '*' {
			ni++
		}
		if cb != '*' {
			nj++
		}
		if ni == i && nj == j {
			// Both stars: consuming a character leaves both in place,
			// which the epsilon moves above already cover.
			return false
		}
		return visit(ni, nj)
	}
	return visit(0, 0)
}

// attachment is what Access Analyzer knows of a resource type a
// resource-based policy is attached to (ValidatePolicy's
// validatePolicyResourceType): the name its messages use, the service
// whose actions apply, and the catalog resource types of that service
// whose ARNs the policy may name.
type attachment struct {
	display string
	service string
	types   []string
}

// attachments are the resource types Validate checks policies for. Only S3
// buckets so far: the one whose wording is recorded ("The resource ARN is
// not supported for the resource-based policy attached to resource type S3
// Bucket.", an iam-policy-validator-for-terraform run).
var attachments = map[string]attachment{
	"AWS::S3::Bucket": {display: "S3 Bucket", service: "s3", types: []string{"bucket", "object"}},
}

// ResourceTypes returns the values Options.ResourceType takes, sorted.
func ResourceTypes() []string {
	out := make([]string, 0, len(attachments))
	for k := range attachments {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkAttachment reports actions and resources a resource-based policy
// attached to the resource type cannot name: UNSUPPORTED_ACTION_IN_POLICY
// for an action of another service or one that applies to none of the
// resource types, UNSUPPORTED_RESOURCE_ARN_IN_POLICY for an ARN that fits
// none of their formats.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-unsupported-resource-arn-in-policy
func (l *linter) checkAttachment(st *lstmt) {
	at, ok := attachments[l.resourceType]
	if !ok {
		return
	}
	svc := l.cat.Service(at.service)
	if svc == nil {
		return
	}
	applies := func(a *catalog.Action) bool {
		for _, r := range a.Resources {
			if slices.Contains(at.types, r.Type.Name) {
				return true
			}
		}
		return false
	}
	for _, a := range st.actions {
		if a.s == "*" {
			continue
		}
		ok := false
		for _, act := range l.cat.MatchActions(a.s) {
			if act.Service == svc && applies(act) {
				ok = true
				break
			}
		}
		if !ok {
			l.add("UNSUPPORTED_ACTION_IN_POLICY", "The action "+a.s+" is not supported for the resource-based policy "+
				"attached to resource type "+at.display+".", a.path)
		}
	}
	for _, list := range [2][]lval{st.resources, st.notRes} {
		for _, r := range list {
			if r.s == "*" {
				continue
			}
			g := formatGlob(r.s)
			fits := false
			for _, name := range at.types {
				if rt := svc.ResourceType(name); rt != nil {
					for _, f := range rt.ARNFormats {
						fits = fits || globsIntersect(g, formatGlob(f))
					}
				}
			}
			if !fits {
				l.add("UNSUPPORTED_RESOURCE_ARN_IN_POLICY", "The resource ARN is not supported for the resource-based "+
					"policy attached to resource type "+at.display+".", r.path)
			}
		}
	}
}
