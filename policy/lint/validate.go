package lint

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// Severity is a finding's type, named as IAM Access Analyzer names them.
type Severity uint8

// Severities.
const (
	SeverityError Severity = iota + 1 // AWS rejects the policy, or part of it cannot work
	SeveritySecurityWarning
	SeverityWarning
	SeveritySuggestion
)

var severityNames = [...]string{"", "ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"}

func (s Severity) String() string {
	if int(s) < len(severityNames) && s > 0 {
		return severityNames[s]
	}
	return "UNKNOWN"
}

// MarshalText writes the finding type as Access Analyzer does.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// anchor is the finding type's part of a learnMoreLink anchor.
func (s Severity) anchor() string {
	switch s {
	case SeveritySecurityWarning:
		return "security-warning"
	case SeverityWarning:
		return "general-warning"
	case SeveritySuggestion:
		return "suggestion"
	}
	return "error"
}

// Finding is one result of Validate, in the shape of Access Analyzer's
// ValidatePolicyFinding (findingType, issueCode, findingDetails,
// learnMoreLink, locations).
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicyFinding.html
type Finding struct {
	Severity Severity `json:"findingType"`
	// Code is AWS's error code for a policy IAM rejects
	// (MalformedPolicyDocument, LimitExceeded) or an Access Analyzer
	// issue code (INVALID_ACTION, PASS_ROLE_WITH_STAR_IN_RESOURCE, ...).
	Code      string `json:"issueCode"`
	Message   string `json:"findingDetails"`
	LearnMore string `json:"learnMoreLink"`
	// Locations are where the finding is: at least one, each a path
	// through the JSON and the span of text it covers.
	Locations []policy.Location `json:"locations"`
}

// Pages the learnMoreLink of a finding points to.
const (
	checksPage  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
	grammarPage = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
	quotasPage  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
)

// Options say where a policy is going.
type Options struct {
	// Kind is where the policy is attached; zero means policy.Identity.
	Kind policy.Kind
	// Entity names the user, group or role an inline policy belongs to,
	// for the size messages.
	Entity string
	// Partition is the account's partition ("aws", "aws-cn", ...); ""
	// accepts every partition.
	Partition string
	// ResourceType is, for a resource-based policy, the resource it is
	// attached to, named as ValidatePolicy's validatePolicyResourceType
	// names it (ResourceTypes lists those Validate knows: AWS::S3::Bucket);
	// "" runs the checks of every resource policy.
	ResourceType string
	// Catalog is the service catalog; nil means catalog.Default().
	Catalog *catalog.Catalog
}

// Validate checks a policy as IAM and IAM Access Analyzer would, and
// says where each problem is:
//
//   - IAM's verdict first: the one MalformedPolicyDocument or
//     LimitExceeded error IAM answers when the policy is stored at
//     opts.Kind (policy.Tree.Check, which is policy.CheckDocument), at
//     the element at fault;
//   - then Access Analyzer's policy checks that need no account data:
//     errors, security warnings, warnings and suggestions with Access
//     Analyzer's issue codes and messages, in the order of their first
//     location in the text. They read the document as written
//     (policy.Tree), so they report on documents IAM rejects, as Access
//     Analyzer does.
//
// Every finding has at least one location: a path through the JSON and
// the span of text (line from 1, column and offset from 0) it covers.
// The document is returned when IAM accepts the policy, nil when it
// rejects it (the first finding then says why).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
func Validate(data []byte, opts Options) (*policy.Document, []Finding) {
	return New(opts).Validate(data)
}

// Validator validates policies for one place. It keeps what it reads
// from the catalog (the ARN formats by service) between calls, so that
// validating many policies reads it once; it is safe for concurrent use.
type Validator struct {
	opts Options
	arns func() *arnIndex
}

// New returns a Validator for opts.
func New(opts Options) *Validator {
	if opts.Kind == 0 {
		opts.Kind = policy.Identity
	}
	if opts.Catalog == nil {
		opts.Catalog = catalog.Default()
	}
	cat := opts.Catalog
	return &Validator{opts: opts, arns: sync.OnceValue(func() *arnIndex { return newARNIndex(cat) })}
}

// WithEntity returns a Validator like v for the inline policies of
// another user, group or role (Options.Entity); it shares what v has
// read from the catalog.
func (v *Validator) WithEntity(entity string) *Validator {
	c := *v
	c.opts.Entity = entity
	return &c
}

// Validate is the package function Validate with the Validator's
// options.
func (v *Validator) Validate(data []byte) (*policy.Document, []Finding) {
	opts := v.opts
	tree, jsonErr := policy.ParseTree(data)
	doc, err := tree.Check(opts.Kind, opts.Entity, opts.Partition)
	var out []Finding
	var pe *policy.Error
	if errors.As(err, &pe) {
		link := grammarPage
		if pe.Code == policy.CodeLimitExceeded {
			link = quotasPage
		}
		out = append(out, Finding{Severity: SeverityError, Code: pe.Code.String(), Message: pe.Message,
			LearnMore: link, Locations: []policy.Location{tree.LocateError(pe)}})
	}
	if errors.As(jsonErr, &pe) {
		at := tree.LocateError(pe)
		p := at.Span.Start
		return nil, append(out, newFinding("JSON_SYNTAX_ERROR", "Fix the JSON syntax error at index "+strconv.Itoa(p.Offset)+
			" line "+strconv.Itoa(p.Line)+" column "+strconv.Itoa(p.Column)+".", at))
	}
	l := &linter{tree: tree, kind: opts.Kind, cat: opts.Catalog, size: policy.PolicySize(data), arns: v.arns, resourceType: opts.ResourceType}
	l.run(tree.Root())
	slices.SortStableFunc(l.out, func(a, b Finding) int {
		return a.Locations[0].Span.Start.Offset - b.Locations[0].Span.Start.Offset
	})
	return doc, append(out, l.out...)
}

// IssueCodes returns the Access Analyzer issue codes Validate can report,
// sorted.
func IssueCodes() []string {
	out := make([]string, 0, len(issueSeverity))
	for c := range issueSeverity {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// newFinding makes an Access Analyzer finding of a known issue code.
func newFinding(code, msg string, at ...policy.Location) Finding {
	sev, ok := issueSeverity[code]
	if !ok {
		panic("lint: unknown issue code " + code)
	}
	anchor := sev.anchor() + "-" + strings.ReplaceAll(strings.ToLower(code), "_", "-")
	return Finding{Severity: sev, Code: code, Message: msg,
		LearnMore: checksPage + "#access-analyzer-reference-policy-checks-" + anchor, Locations: at}
}

// issueSeverity is the finding type of each Access Analyzer issue code
// Validate reports, from the policy check reference (and, where marked in
// lint.go, from findings recorded from the service).
var issueSeverity = map[string]Severity{
	"JSON_SYNTAX_ERROR":                                   SeverityError,
	"INVALID_POLICY_ELEMENT":                              SeverityError,
	"DATA_TYPE_MISMATCH":                                  SeverityError,
	"INVALID_VERSION":                                     SeverityError,
	"MISSING_STATEMENT":                                   SeverityError,
	"MISSING_EFFECT":                                      SeverityError,
	"INVALID_EFFECT":                                      SeverityError,
	"MISSING_ACTION":                                      SeverityError,
	"MISSING_RESOURCE":                                    SeverityError,
	"MISSING_PRINCIPAL":                                   SeverityError,
	"UNSUPPORTED_PRINCIPAL":                               SeverityError,
	"INVALID_PRINCIPAL_FORMAT":                            SeverityError,
	"INVALID_PRINCIPAL_KEY":                               SeverityError,
	"UNSUPPORTED_WILDCARD_IN_PRINCIPAL":                   SeverityError,
	"UNSUPPORTED_ELEMENT_COMBINATION":                     SeverityError,
	"UNIQUE_SIDS_REQUIRED":                                SeverityError,
	"UNSUPPORTED_SID":                                     SeverityError,
	"INVALID_CONDITION_OPERATOR":                          SeverityError,
	"NULL_WITH_IF_EXISTS":                                 SeverityError,
	"INVALID_CONDITION_KEY_FORMAT":                        SeverityError,
	"DUPLICATE_KEYS_WITH_DIFFERENT_CASE":                  SeverityError,
	"INVALID_CONDITION_MULTIPLE_BOOLEAN":                  SeverityError,
	"INVALID_CONDITION_DATA_TYPE":                         SeverityError,
	"INVALID_VARIABLE_FOR_OPERATOR":                       SeverityError,
	"MISSING_QUALIFIER":                                   SeverityError,
	"PRIVATE_IP_ADDRESS":                                  SeverityError,
	"PRIVATE_NOT_IP_ADDRESS":                              SeverityError,
	"INVALID_ACTION":                                      SeverityError,
	"INVALID_SERVICE_IN_ACTION":                           SeverityError,
	"INVALID_SERVICE":                                     SeverityError,
	"INVALID_GLOBAL_CONDITION_KEY":                        SeverityError,
	"INVALID_SERVICE_CONDITION_KEY":                       SeverityError,
	"INVALID_ARN_PREFIX":                                  SeverityError,
	"INVALID_ARN_SERVICE_CASE":                            SeverityError,
	"INVALID_ARN_RESOURCE":                                SeverityError,
	"INVALID_ARN_ACCOUNT":                                 SeverityError,
	"MISSING_ARN_FIELD":                                   SeverityError,
	"MISSING_ARN_REGION":                                  SeverityError,
	"ARN_REGION_NOT_ALLOWED":                              SeverityError,
	"ARN_ACCOUNT_NOT_ALLOWED":                             SeverityError,
	"UNSUPPORTED_ACTION_IN_POLICY":                        SeverityError,
	"UNSUPPORTED_RESOURCE_ARN_IN_POLICY":                  SeverityError,
	"POLICY_SIZE_EXCEEDS_SCP_QUOTA":                       SeverityError,
	"ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL":         SeverityError,
	"ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE":             SeverityError,
	"ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL": SeverityError,
	"MISMATCHED_ACTION_FOR_PRINCIPAL":                     SeverityError,
	"ALLOW_WITH_NOT_PRINCIPAL":                            SeveritySecurityWarning,
	"FORALLVALUES_WITH_SINGLE_VALUED_KEY":                 SeveritySecurityWarning,
	"PASS_ROLE_WITH_NOT_RESOURCE":                         SeveritySecurityWarning,
	"PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE":      SeveritySecurityWarning,
	"PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE":          SeveritySecurityWarning,
	"PASS_ROLE_WITH_STAR_IN_RESOURCE":                     SeveritySecurityWarning,
	"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE":          SeveritySecurityWarning,
	"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION":      SeveritySecurityWarning,
	"STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS":        SeveritySecurityWarning,
	"CREATE_SLR_WITH_NOT_RESOURCE":                        SeverityWarning,
	"CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE":     SeverityWarning,
	"CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE":         SeverityWarning,
	"CREATE_SLR_WITH_STAR_IN_RESOURCE":                    SeverityWarning,
	"CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE":         SeverityWarning,
	"CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION":     SeverityWarning,
	"MISSING_VERSION":                                     SeverityWarning,
	"UNIQUE_SIDS_RECOMMENDED":                             SeverityWarning,
	"WILDCARD_WITHOUT_LIKE_OPERATOR":                      SeverityWarning,
	"INVALID_DATE_VALUE":                                  SeverityWarning,
	"TYPE_MISMATCH":                                       SeverityWarning,
	"TYPE_MISMATCH_BOOLEAN":                               SeverityWarning,
	"TYPE_MISMATCH_DATE":                                  SeverityWarning,
	"TYPE_MISMATCH_IP_RANGE":                              SeverityWarning,
	"TYPE_MISMATCH_NUMBER":                                SeverityWarning,
	"TYPE_MISMATCH_STRING":                                SeverityWarning,
	"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA":           SeverityWarning,
	"POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA":         SeverityWarning,
	"EMPTY_ARRAY_ACTION":                                  SeveritySuggestion,
	"EMPTY_ARRAY_RESOURCE":                                SeveritySuggestion,
	"EMPTY_ARRAY_PRINCIPAL":                               SeveritySuggestion,
	"EMPTY_OBJECT_PRINCIPAL":                              SeveritySuggestion,
	"EMPTY_ARRAY_CONDITION":                               SeveritySuggestion,
	"EMPTY_ARRAY_CONDITION_FORALLVALUES":                  SeveritySuggestion,
	"EMPTY_ARRAY_CONDITION_FORANYVALUE":                   SeveritySuggestion,
	"EMPTY_ARRAY_CONDITION_IFEXISTS":                      SeveritySuggestion,
	"EMPTY_OBJECT_CONDITION":                              SeveritySuggestion,
	"EMPTY_SID_VALUE":                                     SeveritySuggestion,
	"EQUIVALENT_TO_NULL_FALSE":                            SeveritySuggestion,
	"EQUIVALENT_TO_NULL_TRUE":                             SeveritySuggestion,
	"IMPROVE_IP_RANGE":                                    SeveritySuggestion,
	"NULL_WITH_QUALIFIER":                                 SeveritySuggestion,
	"PRIVATE_IP_ADDRESS_SUBSET":                           SeveritySuggestion,
	"PRIVATE_NOT_IP_ADDRESS_SUBSET":                       SeveritySuggestion,
	"REDUNDANT_ACTION":                                    SeveritySuggestion,
	"REDUNDANT_CONDITION_VALUE_NUM":                       SeveritySuggestion,
	"REDUNDANT_RESOURCE":                                  SeveritySuggestion,
	"REDUNDANT_STATEMENT":                                 SeveritySuggestion,
	"WILDCARD_IN_SERVICE_NAME":                            SeveritySuggestion,
}
