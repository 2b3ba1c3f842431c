package policy

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/catalog"
)

// Severity is a finding's type, named as IAM Access Analyzer names them.
type Severity uint8

// Severities.
const (
	SeverityError Severity = iota + 1 // AWS rejects the policy, or it cannot work
	SeveritySecurityWarning
	SeverityWarning
	SeveritySuggestion
)

var severityNames = [...]string{"", "ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "UNKNOWN"
}

// Finding is one result of Validate.
type Finding struct {
	Severity Severity
	// Code is AWS's error code for a rejected policy
	// (MalformedPolicyDocument, LimitExceeded) or an Access Analyzer
	// issue code (INVALID_ACTION, ...).
	Code    string
	Message string
	// Statement is the index of the statement, or -1 for the document.
	Statement int
	// Path locates the element, e.g. "Statement[0].Action[1]".
	Path string
}

// Validate parses data and checks it for kind: the grammar, the size
// quota and the rules of the place (errors, as IAM rejects them), then,
// for a document IAM would accept, each action and condition key against
// the catalog, so that nothing unknown passes silently.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
func Validate(data []byte, kind Kind, name string) (*Document, []Finding) {
	reject := func(err error) []Finding {
		var pe *Error
		if errors.As(err, &pe) {
			return []Finding{{Severity: SeverityError, Code: pe.Code.String(), Message: pe.Message, Statement: -1}}
		}
		return []Finding{{Severity: SeverityError, Code: CodeMalformed.String(), Message: err.Error(), Statement: -1}}
	}
	doc, err := Parse(data)
	if err != nil {
		return nil, reject(err)
	}
	if err := CheckSize(data, kind, name); err != nil {
		return doc, reject(err)
	}
	if err := doc.Check(kind); err != nil {
		return doc, reject(err)
	}
	return doc, Lint(doc, catalog.Default())
}

// Lint checks a document IAM accepts against the catalog: unknown
// services, actions and condition keys, and a missing Version.
func Lint(doc *Document, cat *catalog.Catalog) []Finding {
	var out []Finding
	if doc.Version == "" {
		out = append(out, Finding{Severity: SeveritySuggestion, Code: "MISSING_VERSION", Statement: -1, Path: "Version",
			Message: "We recommend that you specify the Version element to help you with debugging permission issues."})
	}
	for i, st := range doc.Statements {
		for _, el := range []struct {
			name string
			vals []string
		}{{"Action", st.Action}, {"NotAction", st.NotAction}} {
			for j, a := range el.vals {
				if f, ok := lintAction(cat, a); ok {
					f.Statement, f.Path = i, "Statement["+strconv.Itoa(i)+"]."+el.name+"["+strconv.Itoa(j)+"]"
					out = append(out, f)
				}
			}
		}
		for _, c := range st.Conditions {
			if c.Key == "" {
				continue
			}
			if f, ok := lintConditionKey(cat, c.Key); ok {
				f.Statement = i
				f.Path = "Statement[" + strconv.Itoa(i) + "].Condition." + c.Operator + "." + c.Key
				out = append(out, f)
			}
		}
	}
	return out
}

func lintAction(cat *catalog.Catalog, a string) (Finding, bool) {
	if a == "*" {
		return Finding{}, false
	}
	svc, name, _ := strings.Cut(a, ":")
	s := cat.Service(svc)
	if s == nil {
		return Finding{Severity: SeverityError, Code: "INVALID_SERVICE_IN_ACTION",
			Message: "The service " + svc + " specified in the action " + a + " does not exist."}, true
	}
	if strings.ContainsAny(name, "*?") {
		if len(cat.MatchActions(a)) == 0 {
			return Finding{Severity: SeverityError, Code: "INVALID_ACTION",
				Message: "The action " + a + " does not match any action of service " + svc + "."}, true
		}
		return Finding{}, false
	}
	if s.Action(name) == nil {
		return Finding{Severity: SeverityError, Code: "INVALID_ACTION",
			Message: "The action " + a + " does not exist."}, true
	}
	return Finding{}, false
}

func lintConditionKey(cat *catalog.Catalog, key string) (Finding, bool) {
	if cat.ConditionKey(key) != nil {
		return Finding{}, false
	}
	prefix, _, _ := strings.Cut(key, ":")
	if strings.EqualFold(prefix, "aws") {
		return Finding{Severity: SeverityError, Code: "INVALID_GLOBAL_CONDITION_KEY",
			Message: "The condition key " + key + " does not exist. Use a valid condition key."}, true
	}
	return Finding{Severity: SeverityError, Code: "INVALID_SERVICE_CONDITION_KEY",
		Message: "The condition key " + key + " does not exist in the service " + prefix + ". Use a valid condition key."}, true
}
