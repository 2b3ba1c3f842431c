package summary

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/gatehouse/gatehouse/arn"
	"github.com/gatehouse/gatehouse/catalog"
	"github.com/gatehouse/gatehouse/policy"
)

// Summary is a policy's summary: per effect, the services it names and
// the access it grants or denies there.
type Summary struct {
	Allow    []Service `json:"allow"`
	Deny     []Service `json:"deny"`
	Warnings []Warning `json:"warnings"`
}

// Service is one row of the summary: a service and what the policy does
// with it.
type Service struct {
	Prefix string `json:"service"`
	Name   string `json:"name"`
	// Access is the console's access-level text: "Full access", or
	// "Full: List, Read  Limited: Write".
	Access string  `json:"access"`
	Levels []Level `json:"levels"`
	// Resources is "All resources" or the resource patterns
	// ("NotResource: ..." for a NotResource element).
	Resources []string `json:"resources"`
	// Conditions are the request conditions, "None" if there are none.
	Conditions []string `json:"conditions"`
}

// Level is the access a row grants at one access level.
type Level struct {
	Level   string   `json:"level"`
	Full    bool     `json:"full"`
	Granted int      `json:"granted"`
	Total   int      `json:"total"`
	Actions []string `json:"actions"`
}

// Warning is something in the policy that grants nothing.
type Warning struct {
	Kind    string `json:"kind"` // UnrecognizedService or UnrecognizedAction
	Service string `json:"service"`
	Action  string `json:"action,omitempty"`
	Message string `json:"message"`
}

// Warning kinds.
const (
	UnrecognizedService = "UnrecognizedService"
	UnrecognizedAction  = "UnrecognizedAction"
)

// levels are the access levels in the console's order.
var levels = [...]catalog.AccessLevel{catalog.List, catalog.Read, catalog.Write, catalog.PermissionsManagement, catalog.Tagging}

// row accumulates one (effect, service) row.
type row struct {
	svc        *catalog.Service
	actions    map[*catalog.Action]bool
	resources  []string
	conditions []string
}

// Summarize summarizes doc against the catalog.
func Summarize(doc *policy.Document, cat *catalog.Catalog) *Summary {
	rows := [2]map[*catalog.Service]*row{{}, {}} // allow, deny
	s := &Summary{Allow: []Service{}, Deny: []Service{}, Warnings: []Warning{}}
	warned := map[string]bool{}
	warn := func(w Warning) {
		if k := w.Kind + w.Service + w.Action; !warned[k] {
			warned[k] = true
			s.Warnings = append(s.Warnings, w)
		}
	}
	for _, st := range doc.Statements {
		side := rows[0]
		if st.Effect == policy.Deny {
			side = rows[1]
		}
		actions := statementActions(st, cat, warn)
		resources := statementResources(st)
		conditions := statementConditions(st)
		for _, a := range actions {
			r := side[a.Service]
			if r == nil {
				r = &row{svc: a.Service, actions: map[*catalog.Action]bool{}}
				side[a.Service] = r
			}
			r.actions[a] = true
			for _, res := range resources {
				if !slices.Contains(r.resources, res) {
					r.resources = append(r.resources, res)
				}
			}
			for _, c := range conditions {
				if !slices.Contains(r.conditions, c) {
					r.conditions = append(r.conditions, c)
				}
			}
		}
	}
	s.Allow = rowsOf(rows[0])
	s.Deny = rowsOf(rows[1])
	return s
}

// statementActions returns the catalog actions a statement names, and
// warns about services and actions the catalog does not know.
func statementActions(st *policy.Statement, cat *catalog.Catalog, warn func(Warning)) []*catalog.Action {
	if st.NotAction != nil {
		var out []*catalog.Action
		for _, svc := range cat.Services() {
			for _, a := range svc.Actions {
				excluded := false
				for _, na := range st.NotAction {
					if matchAction(na, a) {
						excluded = true
						break
					}
				}
				if !excluded {
					out = append(out, a)
				}
			}
		}
		return out
	}
	var out []*catalog.Action
	for _, a := range st.Action {
		if a == "*" {
			for _, svc := range cat.Services() {
				out = append(out, svc.Actions...)
			}
			continue
		}
		prefix, name, _ := strings.Cut(a, ":")
		if cat.Service(prefix) == nil {
			warn(Warning{Kind: UnrecognizedService, Service: prefix,
				Message: "The service " + prefix + " is not recognized: the policy grants nothing there."})
			continue
		}
		matched := cat.MatchActions(a)
		if len(matched) == 0 {
			warn(Warning{Kind: UnrecognizedAction, Service: prefix, Action: a,
				Message: "The action " + prefix + ":" + name + " is not recognized: it grants nothing."})
		}
		out = append(out, matched...)
	}
	return out
}

func matchAction(pattern string, a *catalog.Action) bool {
	if pattern == "*" {
		return true
	}
	prefix, name, _ := strings.Cut(pattern, ":")
	if !strings.EqualFold(prefix, a.Service.Prefix) {
		return false
	}
	return arn.GlobFold(name, a.Name)
}

func statementResources(st *policy.Statement) []string {
	if st.NotResource != nil {
		out := make([]string, len(st.NotResource))
		for i, r := range st.NotResource {
			out[i] = "NotResource: " + r
		}
		return out
	}
	for _, r := range st.Resource {
		if r == "*" {
			return []string{"All resources"}
		}
	}
	if st.Resource == nil {
		return []string{"All resources"} // trust policies name no resource
	}
	return st.Resource
}

func statementConditions(st *policy.Statement) []string {
	var out []string
	for _, c := range st.Conditions {
		if c.Key == "" {
			continue
		}
		out = append(out, c.Key+" "+c.Operator+" "+strings.Join(c.Values, ", "))
	}
	return out
}

func rowsOf(m map[*catalog.Service]*row) []Service {
	out := make([]Service, 0, len(m))
	for svc, r := range m {
		sr := Service{Prefix: svc.Prefix, Name: svc.Name, Resources: r.resources, Conditions: r.conditions}
		if len(sr.Conditions) == 0 {
			sr.Conditions = []string{"None"}
		}
		var full, limited []string
		for _, lv := range levels {
			l := Level{Level: lv.String(), Actions: []string{}}
			for _, a := range svc.Actions {
				if a.AccessLevel != lv {
					continue
				}
				l.Total++
				if r.actions[a] {
					l.Granted++
					l.Actions = append(l.Actions, a.Name)
				}
			}
			if l.Granted == 0 {
				continue
			}
			l.Full = l.Granted == l.Total
			if l.Full {
				full = append(full, l.Level)
			} else {
				limited = append(limited, l.Level)
			}
			sr.Levels = append(sr.Levels, l)
		}
		switch {
		case len(r.actions) == len(svc.Actions):
			sr.Access = "Full access"
		case len(limited) == 0:
			sr.Access = "Full: " + strings.Join(full, ", ")
		case len(full) == 0:
			sr.Access = "Limited: " + strings.Join(limited, ", ")
		default:
			sr.Access = "Full: " + strings.Join(full, ", ") + "  Limited: " + strings.Join(limited, ", ")
		}
		out = append(out, sr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// WriteText writes the summary as the console's table.
func (s *Summary) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	section := func(title string, rows []Service) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(tw, "%s (%d services)\n", title, len(rows))
		fmt.Fprintln(tw, "Service\tAccess level\tResource\tRequest condition")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Access, strings.Join(r.Resources, ", "), strings.Join(r.Conditions, "; "))
		}
		fmt.Fprintln(tw)
	}
	section("Allow", s.Allow)
	section("Explicit deny", s.Deny)
	if len(s.Allow) == 0 && len(s.Deny) == 0 {
		fmt.Fprintln(tw, "This policy does not grant any permissions.")
	}
	for _, wr := range s.Warnings {
		fmt.Fprintf(tw, "Warning: %s\n", wr.Message)
	}
	return tw.Flush()
}
