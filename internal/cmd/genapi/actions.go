package main

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/gatehouse/gatehouse/catalog"
)

// This file generates zz_actions.go: what authorizing the operations
// needs, from the Service Authorization Reference in package catalog
// (embedded, so generation needs no files beyond the model): the action
// of each operation, the resource types of the service with their ARN
// formats, and an ARN builder per resource type. Generation fails when
// the reference does not list an operation's action with the operation's
// own spelling, so no action name is typed by hand anywhere.

// noAction lists, by service, the operations of the model that the
// Service Authorization Reference lists no action for, each with why.
// They get no Action constant. An entry the reference does list fails
// generation.
var noAction = map[string]map[string]string{"IAM": {
	// A delegation-request operation of AWS's partner onboarding; the
	// reference lists its siblings (iam:AcceptDelegationRequest, ...)
	// but not iam:UpdateDelegationRequest. Not served.
	"UpdateDelegationRequest": "not in the Service Authorization Reference",
}}

// alsoAuthorized lists, by service, the actions of the reference that an
// operation authorizes besides its own, which are not operations
// themselves, each with the operations that authorize it and the AWS
// page that says so. Each gets an Action constant; a name the reference
// does not list (with this exact spelling) fails generation.
var alsoAuthorized = map[string]map[string]string{"IAM": {
	// AddRoleToInstanceProfile: "the caller needs iam:PassRole on the
	// role"; https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html
	// and https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
	"PassRole": "AddRoleToInstanceProfile",
}}

// foreignResources lists, by service, resource types of other services
// whose ARNs the service builds (as "service:type"), each with where.
// Each gets an ARN builder.
var foreignResources = map[string]map[string]string{"IAM": {
	// AddRoleToInstanceProfile's iam:AssociatedResourceArn: the role
	// goes to EC2 instances, arn:aws:ec2:*:<account>:instance/*.
	"ec2:instance": "AddRoleToInstanceProfile",
}}

// initialisms are the words written upper-case in Go identifiers made
// from resource type and service names (STYLE rule 1).
var initialisms = map[string]string{
	"arn": "ARN", "aws": "AWS", "ec2": "EC2", "id": "ID", "iam": "IAM",
	"mfa": "MFA", "oidc": "OIDC", "saml": "SAML", "sms": "SMS", "sts": "STS",
}

var wordRe = regexp.MustCompile(`[A-Za-z0-9]+`)

// goIdent is a Go identifier for a resource type or service name:
// "instance-profile" → InstanceProfile, "oidc-provider" → OIDCProvider.
func goIdent(name string) string {
	var b strings.Builder
	for _, w := range wordRe.FindAllString(name, -1) {
		if up, ok := initialisms[strings.ToLower(w)]; ok {
			b.WriteString(up)
		} else {
			b.WriteString(exported(w))
		}
	}
	return b.String()
}

// paramName is a Go parameter name for an ARN placeholder:
// SamlProviderName → samlProviderName, AWSServicePrincipal →
// awsServicePrincipal.
func paramName(placeholder string) string {
	r := []rune(placeholder)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	if n > 1 && n < len(r) {
		n-- // an initialism before a word keeps the word's capital
	}
	for i := range n {
		r[i] = unicode.ToLower(r[i])
	}
	if s, ok := strings.CutSuffix(string(r), "Id"); ok {
		return s + "ID"
	}
	return string(r)
}

var placeholderRe = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

// arnBuilder is the Go source of the function building ARNs of one
// format with arn.Build (no ARN is joined by hand outside package arn).
// The partition is always a parameter; the service, region and account
// fields are each text or one placeholder; the resource is text and
// placeholders. A placeholder XWithPath after a "/" is two parameters,
// path and x: IAM paths begin and end with "/", so the resource is the
// text before that "/", the path, then the name ("user" + "/team/" +
// "bob"), which is the format's ARN for every path IAM takes.
func arnBuilder(fn, doc, format string) (string, error) {
	rest, ok := strings.CutPrefix(format, "arn:${Partition}:")
	if !ok {
		return "", fmt.Errorf("ARN format %q does not begin with arn:${Partition}:", format)
	}
	if left := placeholderRe.ReplaceAllString(format, ""); strings.ContainsAny(left, "${}") {
		return "", fmt.Errorf("ARN format %q: a placeholder genapi cannot read", format)
	}
	fields := strings.SplitN(rest, ":", 4)
	if len(fields) != 4 {
		return "", fmt.Errorf("ARN format %q does not have six fields", format)
	}
	params := []string{"partition"}
	seen := map[string]bool{"partition": true}
	param := func(name string) (string, error) {
		if seen[name] {
			return "", fmt.Errorf("ARN format %q: parameter %s twice", format, name)
		}
		seen[name] = true
		params = append(params, name)
		return name, nil
	}
	// The service, region and account: text, or one placeholder.
	args := []string{"partition"}
	for _, f := range fields[:3] {
		m := placeholderRe.FindAllStringSubmatchIndex(f, -1)
		switch {
		case len(m) == 0:
			args = append(args, fmt.Sprintf("%q", f))
		case len(m) == 1 && m[0][0] == 0 && m[0][1] == len(f):
			p, err := param(paramName(f[m[0][2]:m[0][3]]))
			if err != nil {
				return "", err
			}
			args = append(args, p)
		default:
			return "", fmt.Errorf("ARN format %q: field %q is neither text nor one placeholder", format, f)
		}
	}
	res := fields[3]
	lit := func(s string) {
		if s != "" {
			args = append(args, fmt.Sprintf("%q", s))
		}
	}
	last := 0
	for _, m := range placeholderRe.FindAllStringSubmatchIndex(res, -1) {
		text := res[last:m[0]]
		ph := res[m[2]:m[3]]
		last = m[1]
		if base, ok := strings.CutSuffix(ph, "WithPath"); ok {
			prefix, slash := strings.CutSuffix(text, "/")
			if !slash {
				return "", fmt.Errorf("ARN format %q: %s not after a /", format, ph)
			}
			lit(prefix)
			p, err := param("path")
			if err != nil {
				return "", err
			}
			args = append(args, p)
			ph = base
		} else {
			lit(text)
		}
		p, err := param(paramName(ph))
		if err != nil {
			return "", err
		}
		args = append(args, p)
	}
	lit(res[last:])
	if len(args) == 4 {
		return "", fmt.Errorf("ARN format %q has no resource", format)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// %s\n//\n//\t%s\n", doc, format)
	if seen["path"] {
		b.WriteString("//\n// path begins and ends with / (\"/\", \"/team/\"), as IAM paths do.\n")
	}
	fmt.Fprintf(&b, "func %s(%s string) string {\n", fn, strings.Join(params, ", "))
	fmt.Fprintf(&b, "return arn.Build(%s)\n}\n\n", strings.Join(args, ", "))
	return b.String(), nil
}

// authorizationFile returns the source of zz_actions.go, checked
// against the catalog c, and records in g.actions the operations that
// have an Action.
func (g *gen) authorizationFile(c *catalog.Catalog) ([]byte, error) {
	main := g.b
	g.b = bytes.Buffer{}
	defer func() { g.b = main }()
	g.p("// Code generated by genapi from the botocore model of %s %s and the", g.m.Metadata.ServiceID, g.m.Metadata.APIVersion)
	g.p("// Service Authorization Reference in package catalog; DO NOT EDIT.")
	g.p("")
	g.p("package %s", g.pkg)
	g.p("")
	g.p("import %q", "github.com/gatehouse/gatehouse/arn")
	g.p("")
	if err := g.authorization(c); err != nil {
		return nil, err
	}
	return bytes.Clone(g.b.Bytes()), nil
}

// authorization writes zz_actions.go's declarations for the service's
// prefix in the catalog.
func (g *gen) authorization(c *catalog.Catalog) error {
	id := g.m.Metadata.ServiceID
	prefix := g.m.Metadata.EndpointPrefix
	svc := c.Service(prefix)
	if svc == nil || svc.Prefix != prefix {
		return fmt.Errorf("the catalog has no service %q", prefix)
	}
	type act struct {
		ident, name, why string
		a                *catalog.Action
	}
	var acts, extras []act
	for _, op := range sortedKeys(g.m.Operations) {
		a := svc.Action(op)
		_, excepted := noAction[id][op]
		switch {
		case a != nil && excepted:
			return fmt.Errorf("operation %s is in noAction, but the catalog lists %s: drop the entry", op, a)
		case a == nil && excepted:
			continue
		case a == nil:
			return fmt.Errorf("operation %s: the catalog has no action %s:%s (list it in noAction, with why, if the reference really has none)", op, prefix, op)
		case a.Name != op:
			return fmt.Errorf("operation %s: the catalog spells its action %s", op, a)
		}
		acts = append(acts, act{ident: "Action" + op, name: op, a: a})
		g.actions[op] = true
	}
	for op := range noAction[id] {
		if _, ok := g.m.Operations[op]; !ok {
			return fmt.Errorf("noAction names %s, which is not an operation of the model", op)
		}
	}
	for _, name := range sortedKeys(alsoAuthorized[id]) {
		a := svc.Action(name)
		if a == nil || a.Name != name {
			return fmt.Errorf("alsoAuthorized: the catalog has no action %s:%s", prefix, name)
		}
		if _, ok := g.m.Operations[name]; ok {
			return fmt.Errorf("alsoAuthorized: %s is an operation, whose action is generated anyway", name)
		}
		extras = append(extras, act{ident: "Action" + name, name: name, why: alsoAuthorized[id][name], a: a})
	}

	g.p("// Action is an action of the Service Authorization Reference that an")
	g.p("// operation of %s authorizes, as policies name it (%q and the", id, prefix+":")
	g.p("// action's name). Each constant was checked against the reference")
	g.p("// (package catalog) when generated. The zero Action is none.")
	g.p("type Action string")
	g.p("")
	g.p("// The actions of the operations, by operation.")
	g.p("const (")
	for _, a := range acts {
		g.p("%s Action = %q", a.ident, a.a.String())
	}
	g.p(")")
	g.p("")
	if len(extras) > 0 {
		g.p("// Actions that operations authorize besides their own.")
		g.p("const (")
		for _, a := range extras {
			g.p("// %s is authorized by %s as well.", a.ident, a.why)
			g.p("%s Action = %q", a.ident, a.a.String())
		}
		g.p(")")
		g.p("")
	}
	g.p("// Actions returns every Action constant: the operations' actions, then")
	g.p("// the others.")
	g.p("func Actions() []Action {")
	g.p("return []Action{")
	for _, a := range slices.Concat(acts, extras) {
		g.p("%s,", a.ident)
	}
	g.p("}")
	g.p("}")
	g.p("")
	g.p("// String returns the action as policies write it (%q).", prefix+":Name")
	g.p("func (a Action) String() string { return string(a) }")
	g.p("")
	g.p("// Name returns the action without its service prefix.")
	g.p("func (a Action) Name() string {")
	g.p("if a == \"\" { return \"\" }")
	g.p("return string(a[len(%q):])", prefix+":")
	g.p("}")
	g.p("")
	g.p("// ActionResource is a resource type an action applies to.")
	g.p("type ActionResource struct {")
	g.p("Type ResourceType")
	g.p("// Required is the reference's asterisk: the resource type must be")
	g.p("// part of the request. When none is required, any one may be.")
	g.p("Required bool")
	g.p("}")
	g.p("")
	g.p("// Resources returns the resource types the reference says the action")
	g.p("// applies to, in its order. None: the action supports only")
	g.p("// \"Resource\": \"*\".")
	g.p("func (a Action) Resources() []ActionResource {")
	g.p("switch a {")
	for _, a := range slices.Concat(acts, extras) {
		if len(a.a.Resources) == 0 {
			continue
		}
		var rs []string
		for _, r := range a.a.Resources {
			rs = append(rs, fmt.Sprintf("{Resource%s, %v}", goIdent(r.Type.Name), r.Required))
		}
		g.p("case %s: return []ActionResource{%s}", a.ident, strings.Join(rs, ", "))
	}
	g.p("}")
	g.p("return nil")
	g.p("}")
	g.p("")

	g.p("// ResourceType is a resource type of %s in the Service Authorization", id)
	g.p("// Reference, by its name there.")
	g.p("type ResourceType string")
	g.p("")
	g.p("// The resource types of %s.", id)
	g.p("const (")
	for _, rt := range svc.ResourceTypes {
		g.p("Resource%s ResourceType = %q", goIdent(rt.Name), rt.Name)
	}
	g.p(")")
	g.p("")
	g.p("// ARNFormat returns the resource type's ARN format in the reference,")
	g.p("// or \"\" for a name that is not a resource type of %s.", id)
	g.p("func (r ResourceType) ARNFormat() string {")
	g.p("switch r {")
	for _, rt := range svc.ResourceTypes {
		if len(rt.ARNFormats) != 1 {
			return fmt.Errorf("resource type %s has %d ARN formats", rt.Name, len(rt.ARNFormats))
		}
		g.p("case Resource%s: return %q", goIdent(rt.Name), rt.ARNFormats[0])
	}
	g.p("}")
	g.p("return \"\"")
	g.p("}")
	g.p("")
	for _, rt := range svc.ResourceTypes {
		fn := goIdent(rt.Name) + "ARN"
		src, err := arnBuilder(fn, fmt.Sprintf("%s returns an ARN of resource type %s (Resource%s):", fn, rt.Name, goIdent(rt.Name)), rt.ARNFormats[0])
		if err != nil {
			return fmt.Errorf("resource type %s: %v", rt.Name, err)
		}
		g.b.WriteString(src)
	}
	for _, name := range sortedKeys(foreignResources[id]) {
		sp, tn, _ := strings.Cut(name, ":")
		fs := c.Service(sp)
		var rt *catalog.ResourceType
		if fs != nil {
			rt = fs.ResourceType(tn)
		}
		if rt == nil || rt.Name != tn || fs.Prefix != sp {
			return fmt.Errorf("foreignResources: the catalog has no resource type %s", name)
		}
		if len(rt.ARNFormats) != 1 {
			return fmt.Errorf("resource type %s has %d ARN formats", name, len(rt.ARNFormats))
		}
		fn := goIdent(sp) + goIdent(tn) + "ARN"
		src, err := arnBuilder(fn, fmt.Sprintf("%s returns an ARN of %s's resource type %s, for %s:", fn, sp, tn, foreignResources[id][name]), rt.ARNFormats[0])
		if err != nil {
			return fmt.Errorf("resource type %s: %v", name, err)
		}
		g.b.WriteString(src)
	}
	return nil
}
