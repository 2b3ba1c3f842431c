package catalog_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/catalog"
)

// The counts shared/data/README.md and sources.json give for the pinned
// sources.
func TestCounts(t *testing.T) {
	c := catalog.Default()
	var actions, rtypes, keys, rcp, twoARNs int
	levels := map[catalog.AccessLevel]int{}
	levelSets := map[string]int{}
	for _, s := range c.Services() {
		actions += len(s.Actions)
		rtypes += len(s.ResourceTypes)
		keys += len(s.ConditionKeys)
		if s.RCPSupported {
			rcp++
		}
		for _, a := range s.Actions {
			levels[a.AccessLevel]++
			var names []string
			for _, l := range a.AccessLevels {
				names = append(names, l.String())
			}
			levelSets[strings.Join(names, ", ")]++
		}
		for _, rt := range s.ResourceTypes {
			if len(rt.ARNFormats) == 2 {
				twoARNs++
			}
		}
	}
	paths := map[string]int{}
	singleStatement := 0
	for _, p := range c.ManagedPolicies() {
		paths[p.Path]++
		if strings.Contains(p.Document, `"Statement":{`) {
			singleStatement++
		}
	}
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"services", len(c.Services()), 456},
		{"actions", actions, 22091},
		{"MatchActions(*)", len(c.MatchActions("*")), 22091},
		{"resource types", rtypes, 2334},
		{"condition keys", keys, 2578},
		{"global condition keys", len(c.GlobalConditionKeys()), 59},
		{"RCP services", rcp, 62},
		{"resource types with two ARN formats", twoARNs, 13},
		{"List", levels[catalog.List], 3719},
		{"Read", levels[catalog.Read], 5871},
		{"Write", levels[catalog.Write], 11357},
		{"Permissions management", levels[catalog.PermissionsManagement], 425},
		{"Tagging", levels[catalog.Tagging], 719},
		{"levels List", levelSets["List"], 3719},
		{"levels Read", levelSets["Read"], 5871},
		{"levels Write", levelSets["Write"], 11357},
		{"levels Permissions management, Write", levelSets["Permissions management, Write"], 425},
		{"levels Tagging, Write", levelSets["Tagging, Write"], 719},
		{"level sets", len(levelSets), 5},
		{"managed policies", len(c.ManagedPolicies()), 1594},
		{"path /", paths["/"], 994},
		{"path /aws-service-role/", paths["/aws-service-role/"], 357},
		{"path /service-role/", paths["/service-role/"], 227},
		{"path /job-function/", paths["/job-function/"], 11},
		{"path /root-task/", paths["/root-task/"], 5},
		{"paths", len(paths), 5},
		{"Statement as one object", singleStatement, 21},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %d, want %d", tc.got, tc.want)
			}
		})
	}
}

// The structure holds together: back pointers, references, sort orders.
func TestStructure(t *testing.T) {
	c := catalog.Default()
	byFold := func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }
	if !slices.IsSortedFunc(c.Services(), func(a, b *catalog.Service) int { return strings.Compare(a.Prefix, b.Prefix) }) {
		t.Error("services not sorted by prefix")
	}
	for _, s := range c.Services() {
		if c.Service(s.Prefix) != s {
			t.Errorf("Service(%q) is not the service", s.Prefix)
		}
		if !slices.IsSortedFunc(s.Actions, func(a, b *catalog.Action) int { return byFold(a.Name, b.Name) }) ||
			!slices.IsSortedFunc(s.ResourceTypes, func(a, b *catalog.ResourceType) int { return byFold(a.Name, b.Name) }) ||
			!slices.IsSortedFunc(s.ConditionKeys, func(a, b *catalog.ConditionKey) int { return byFold(a.Name, b.Name) }) {
			t.Errorf("%s: lists not sorted by name, ignoring case", s.Prefix)
		}
		hasKey := func(name string) bool { k := s.ConditionKey(name); return k != nil && k.Name == name }
		for _, k := range s.ConditionKeys {
			if k.Global || k.Category != "" || k.Type == 0 {
				t.Errorf("%s: key %s: Global %v, Category %q, Type %v", s.Prefix, k.Name, k.Global, k.Category, k.Type)
			}
			if k.Variable() != (k.Prefix != "" || strings.ContainsAny(k.Name, "$<")) {
				t.Errorf("%s: key %s: Variable %v with Prefix %q", s.Prefix, k.Name, k.Variable(), k.Prefix)
			}
		}
		for _, rt := range s.ResourceTypes {
			if rt.Service != s || s.ResourceType(rt.Name) != rt || len(rt.ARNFormats) == 0 {
				t.Errorf("%s: resource type %s: back pointer, look-up or ARN formats wrong", s.Prefix, rt.Name)
			}
			for _, k := range rt.ConditionKeys {
				if !hasKey(k) {
					t.Errorf("%s: resource type %s: key %s not in the service", s.Prefix, rt.Name, k)
				}
			}
		}
		for _, a := range s.Actions {
			if a.Service != s || s.Action(a.Name) != a || c.Action(a.String()) != a {
				t.Errorf("%s: action %s: back pointer or look-up wrong", s.Prefix, a.Name)
			}
			if a.AccessLevel == 0 || !slices.Contains(a.AccessLevels, a.AccessLevel) {
				t.Errorf("%s: level %v not among %v", a, a.AccessLevel, a.AccessLevels)
			}
			for _, k := range a.ConditionKeys {
				if !hasKey(k) {
					t.Errorf("%s: key %s not in the service", a, k)
				}
			}
			for _, r := range a.Resources {
				if r.Type.Service != s {
					t.Errorf("%s: resource type %s of another service", a, r.Type.Name)
				}
				for _, k := range r.ConditionKeys {
					if !hasKey(k) {
						t.Errorf("%s: resource %s: key %s not in the service", a, r.Type.Name, k)
					}
				}
			}
		}
	}
	for _, k := range c.GlobalConditionKeys() {
		if !k.Global || k.Category == "" || c.ConditionKey(k.Name) != k {
			t.Errorf("global key %s: Global %v, Category %q, look-up %v", k.Name, k.Global, k.Category, c.ConditionKey(k.Name))
		}
	}
}

// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
func TestActions(t *testing.T) {
	type res struct {
		name     string
		required bool
	}
	for _, tc := range []struct {
		name        string
		level       catalog.AccessLevel
		levels      []catalog.AccessLevel
		resources   []res
		keys        []string
		description string
	}{
		{
			name: "iam:CreateUser", level: catalog.Write, levels: []catalog.AccessLevel{catalog.Write},
			resources:   []res{{"user", true}},
			keys:        []string{"aws:RequestTag/${TagKey}", "aws:TagKeys", "iam:PermissionsBoundary"},
			description: "Grants permission to create a new IAM user",
		},
		{
			name: "iam:PutUserPolicy", level: catalog.PermissionsManagement,
			levels:    []catalog.AccessLevel{catalog.PermissionsManagement, catalog.Write},
			resources: []res{{"user", true}}, keys: []string{"iam:PermissionsBoundary"},
		},
		{
			name: "iam:TagUser", level: catalog.Tagging, levels: []catalog.AccessLevel{catalog.Tagging, catalog.Write},
			resources: []res{{"user", true}}, keys: []string{"aws:RequestTag/${TagKey}", "aws:TagKeys"},
		},
		{
			// Two resource types, neither required: either may be used.
			name: "s3:GetObject", level: catalog.Read, levels: []catalog.AccessLevel{catalog.Read},
			resources: []res{{"accesspointobject", false}, {"object", false}},
			keys: []string{"s3:AccessGrantsInstanceArn", "s3:ExistingObjectTag/<key>", "s3:ResourceAccount", "s3:TlsVersion",
				"s3:authType", "s3:signatureAge", "s3:signatureversion", "s3:x-amz-content-sha256"},
		},
		{
			name: "s3:ListBucket", level: catalog.List, levels: []catalog.AccessLevel{catalog.List},
			resources: []res{{"accesspoint", false}, {"bucket", false}},
			keys: []string{"s3:AccessGrantsInstanceArn", "s3:ResourceAccount", "s3:TlsVersion", "s3:authType", "s3:delimiter",
				"s3:max-keys", "s3:prefix", "s3:signatureAge", "s3:signatureversion", "s3:x-amz-content-sha256"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := catalog.Default().Action(tc.name)
			if a == nil {
				t.Fatal("not found")
			}
			if a.String() != tc.name {
				t.Errorf("String() = %q", a.String())
			}
			if a.AccessLevel != tc.level || !slices.Equal(a.AccessLevels, tc.levels) {
				t.Errorf("levels %v %v, want %v %v", a.AccessLevel, a.AccessLevels, tc.level, tc.levels)
			}
			var got []res
			for _, r := range a.Resources {
				got = append(got, res{r.Type.Name, r.Required})
			}
			if !slices.Equal(got, tc.resources) {
				t.Errorf("resources %v, want %v", got, tc.resources)
			}
			if !slices.Equal(a.ConditionKeys, tc.keys) {
				t.Errorf("condition keys %q, want %q", a.ConditionKeys, tc.keys)
			}
			if tc.description != "" && a.Description != tc.description {
				t.Errorf("description %q, want %q", a.Description, tc.description)
			}
		})
	}

	user := catalog.Default().Service("iam").ResourceType("user")
	if user == nil || !slices.Equal(user.ARNFormats, []string{"arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"}) ||
		!slices.Equal(user.ConditionKeys, []string{"aws:ResourceTag/${TagKey}", "iam:ResourceTag/${TagKey}"}) {
		t.Errorf("iam resource type user: %+v", user)
	}
	iam := catalog.Default().Service("iam")
	if iam.Name != "AWS Identity and Access Management (IAM)" {
		t.Errorf("iam Name %q", iam.Name)
	}
}

// "The prefix and the action name are case insensitive."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// Condition key names are not case-sensitive either:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
func TestCase(t *testing.T) {
	c := catalog.Default()
	want := c.Action("iam:CreateUser")
	for _, name := range []string{"iam:createuser", "IAM:CREATEUSER", "Iam:cReAtEuSeR"} {
		t.Run(name, func(t *testing.T) {
			if got := c.Action(name); got != want {
				t.Errorf("Action(%q) = %v", name, got)
			}
			svc, act, _ := strings.Cut(name, ":")
			if got := c.Service(svc).Action(act); got != want {
				t.Errorf("Service(%q).Action(%q) = %v", svc, act, got)
			}
		})
	}
	for _, tc := range []struct{ name, want string }{
		{"AWS:SOURCEIP", "aws:SourceIp"},
		{"aws:sourceip", "aws:SourceIp"},
		{"S3:PREFIX", "s3:prefix"},
		{"aws:principaltag/Team", "aws:PrincipalTag/tag-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if k := c.ConditionKey(tc.name); k == nil || k.Name != tc.want {
				t.Errorf("ConditionKey(%q) = %v, want %s", tc.name, k, tc.want)
			}
		})
	}
	if c.Service("IAM") != c.Service("iam") || c.Service("iam").ResourceType("USER") == nil {
		t.Error("service or resource type look-up is case-sensitive")
	}
	for _, name := range []string{"", ":", "iam", "iam:", ":CreateUser", "iam:CreateUser ", "iam:Create*", "nosuch:CreateUser", "iam:CreateUser:x"} {
		if a := c.Action(name); a != nil {
			t.Errorf("Action(%q) = %v, want nil", name, a)
		}
	}
}

func names(actions []*catalog.Action) []string {
	var out []string
	for _, a := range actions {
		out = append(out, a.String())
	}
	return out
}

// filter lists the actions of a service whose lower-case names satisfy f.
func filter(s *catalog.Service, f func(lower string) bool) []string {
	var out []string
	for _, a := range s.Actions {
		if f(strings.ToLower(a.Name)) {
			out = append(out, a.String())
		}
	}
	return out
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func TestMatchActions(t *testing.T) {
	c := catalog.Default()
	iam, s3 := c.Service("iam"), c.Service("s3")
	for _, tc := range []struct {
		pattern string
		want    []string
	}{
		{"iam:Get*", filter(iam, func(n string) bool { return strings.HasPrefix(n, "get") })},
		{"IAM:get*", filter(iam, func(n string) bool { return strings.HasPrefix(n, "get") })},
		{"iam:*User", filter(iam, func(n string) bool { return strings.HasSuffix(n, "user") })},
		{"iam:Get*Policy", filter(iam, func(n string) bool {
			return strings.HasPrefix(n, "get") && strings.HasSuffix(n, "policy") && len(n) >= len("getpolicy")
		})},
		{"s3:*Object*", filter(s3, func(n string) bool { return strings.Contains(n, "object") })},
		{"s3:Get?bject", []string{"s3:GetObject"}},
		{"s3:GetObjec?", []string{"s3:GetObject"}},
		{"s3:GetObject?", nil},
		{"s3:?etObject", []string{"s3:GetObject"}},
		{"s3:GetObject*", filter(s3, func(n string) bool { return strings.HasPrefix(n, "getobject") })},
		{"s3:**Object**", filter(s3, func(n string) bool { return strings.Contains(n, "object") })},
		{"iam:*", names(iam.Actions)},
		{"iam:CreateUser", []string{"iam:CreateUser"}},
		{"iam:createuser", []string{"iam:CreateUser"}},
		{"iam:NoSuchAction", nil},
		{"iam:NoSuch*", nil},
		{"nosuch:*", nil},
		{"i*m:Get*", nil},
		{"*:GetUser", nil},
		{"iam", nil},
		{"", nil},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			if got := names(c.MatchActions(tc.pattern)); !slices.Equal(got, tc.want) {
				t.Errorf("got %d actions %v\nwant %d %v", len(got), got, len(tc.want), tc.want)
			}
		})
	}
	if n := len(c.MatchActions("iam:Get*")); n < 20 {
		t.Errorf("iam:Get* matches only %d actions", n)
	}

	all := c.MatchActions("*")
	var want []*catalog.Action
	for _, s := range c.Services() {
		want = append(want, s.Actions...)
	}
	if !slices.Equal(all, want) {
		t.Error(`MatchActions("*") is not every action in service order`)
	}
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
func TestConditionKey(t *testing.T) {
	c := catalog.Default()
	for _, tc := range []struct {
		name     string
		want     string // "" for nil
		service  string // the service whose entry is found; "" for a global key
		typ      catalog.KeyType
		category string
		prefix   string
	}{
		{name: "aws:SourceIp", want: "aws:SourceIp", typ: catalog.IPAddress, category: "network"},
		{name: "aws:PrincipalTag/team", want: "aws:PrincipalTag/tag-key", typ: catalog.String, category: "principal", prefix: "aws:PrincipalTag/"},
		{name: "aws:PrincipalTag/team/sub:x", want: "aws:PrincipalTag/tag-key", typ: catalog.String, category: "principal", prefix: "aws:PrincipalTag/"},
		{name: "aws:RequestTag/env", want: "aws:RequestTag/tag-key", typ: catalog.String, category: "request", prefix: "aws:RequestTag/"},
		{name: "aws:ResourceTag/env", want: "aws:ResourceTag/tag-key", typ: catalog.String, category: "resource", prefix: "aws:ResourceTag/"},
		{name: "aws:PrincipalTag/tag-key", want: "aws:PrincipalTag/tag-key", typ: catalog.String, category: "principal", prefix: "aws:PrincipalTag/"},
		{name: "aws:TagKeys", want: "aws:TagKeys", typ: catalog.ArrayOfString, category: "request"},
		{name: "aws:CurrentTime", want: "aws:CurrentTime", typ: catalog.Date, category: "request"},
		{name: "aws:MultiFactorAuthPresent", want: "aws:MultiFactorAuthPresent", typ: catalog.Bool, category: "session"},
		{name: "identitystore:UserId", want: "identitystore:UserId", typ: catalog.String, category: "session"},
		{name: "s3:prefix", want: "s3:prefix", service: "s3", typ: catalog.String},
		{name: "iam:PermissionsBoundary", want: "iam:PermissionsBoundary", service: "iam", typ: catalog.ARN},
		{name: "s3:ExistingObjectTag/x", want: "s3:ExistingObjectTag/<key>", service: "s3", typ: catalog.String, prefix: "s3:ExistingObjectTag/"},
		{name: "ec2:ResourceTag/x", want: "ec2:ResourceTag/${TagKey}", service: "ec2", typ: catalog.String, prefix: "ec2:ResourceTag/"},
		// The reference writes some services' tag keys as a literal
		// tag-key, as it writes the global ones; tag keys may hold colons.
		{name: "secretsmanager:ResourceTag/aws:cloudformation:stack-name", want: "secretsmanager:ResourceTag/tag-key", service: "secretsmanager", typ: catalog.String, prefix: "secretsmanager:ResourceTag/"},
		{name: "ssm:resourceTag/team", want: "ssm:resourceTag/${TagKey}", service: "ssm", typ: catalog.String, prefix: "ssm:resourceTag/"},
		// Listed by codestar, iam and sts: iam's.
		{name: "iam:ResourceTag/x", want: "iam:ResourceTag/${TagKey}", service: "iam", typ: catalog.String, prefix: "iam:ResourceTag/"},
		// Not a service prefix: the first service listing it.
		{name: "saml:aud", want: "saml:aud", service: "sts", typ: catalog.String},
		// The longer suffix wins.
		{name: "events:Metadata/k/Matcher", want: "events:Metadata/${MetadataKey}/Matcher", service: "events", typ: catalog.String, prefix: "events:Metadata/"},
		{name: "events:Metadata/k", want: "events:Metadata/${MetadataKey}", service: "events", typ: catalog.ArrayOfString, prefix: "events:Metadata/"},
		{name: "codebuild:secondarySources/src1.location", want: "codebuild:secondarySources/${sourceIdentifier}.location", service: "codebuild", typ: catalog.String, prefix: "codebuild:secondarySources/"},
		{name: "agent.example.buildkite.dev:build_branch", want: "agent.${Domain}.buildkite.dev:build_branch", service: "sts", typ: catalog.String, prefix: "agent."},
		{name: "token.actions.githubusercontent.com/org/x:actor", want: "token.actions.githubusercontent.com/${SubPath}:actor", service: "sts", typ: catalog.String, prefix: "token.actions.githubusercontent.com/"},
		{name: "token.actions.githubusercontent.com:actor", want: "token.actions.githubusercontent.com:actor", service: "sts", typ: catalog.String},
		{name: "aws:PrincipalTag/", want: ""},
		{name: "s3:ExistingObjectTag/", want: ""},
		{name: "events:Metadata//Matcher", want: "events:Metadata/${MetadataKey}", service: "events", typ: catalog.ArrayOfString, prefix: "events:Metadata/"},
		{name: "aws:NoSuchKey", want: ""},
		{name: "nosuch:key", want: ""},
		{name: "aws", want: ""},
		{name: "", want: ""},
		{name: strings.Repeat("aws:PrincipalTag/", 40), want: "aws:PrincipalTag/tag-key", typ: catalog.String, category: "principal", prefix: "aws:PrincipalTag/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := c.ConditionKey(tc.name)
			if tc.want == "" {
				if k != nil {
					t.Fatalf("got %s, want nil", k.Name)
				}
				return
			}
			if k == nil {
				t.Fatalf("got nil, want %s", tc.want)
			}
			if k.Name != tc.want || k.Type != tc.typ || k.Category != tc.category || k.Prefix != tc.prefix || k.Global != (tc.service == "") {
				t.Errorf("got %s %v %q %q global %v, want %s %v %q %q", k.Name, k.Type, k.Category, k.Prefix, k.Global, tc.want, tc.typ, tc.category, tc.prefix)
			}
			if tc.service != "" {
				if got := c.Service(tc.service).ConditionKey(tc.name); got != k {
					t.Errorf("not %s's entry (%v)", tc.service, got)
				}
			}
		})
	}

	epoch := c.ConditionKey("aws:EpochTime")
	if epoch == nil || epoch.Type != catalog.Date || !slices.Equal(epoch.AlternateTypes, []catalog.KeyType{catalog.Numeric}) {
		t.Errorf("aws:EpochTime: %+v", epoch)
	}
	codebuild := c.ConditionKey("codebuild:secondarySources/x.location")
	if codebuild == nil || codebuild.Suffix != ".location" {
		t.Errorf("codebuild:secondarySources/x.location: %+v", codebuild)
	}

	// A service finds its own entries, global or not, and not the global
	// keys it does not list.
	iam := c.Service("iam")
	for _, tc := range []struct{ name, want string }{
		{"aws:RequestTag/env", "aws:RequestTag/${TagKey}"},
		{"AWS:requesttag/env", "aws:RequestTag/${TagKey}"},
		{"aws:TagKeys", "aws:TagKeys"},
		{"iam:ResourceTag/x", "iam:ResourceTag/${TagKey}"},
		{"iam:PassedToService", "iam:PassedToService"},
		{"aws:SourceIp", ""},
		{"s3:prefix", ""},
	} {
		t.Run("iam/"+tc.name, func(t *testing.T) {
			k := iam.ConditionKey(tc.name)
			switch {
			case tc.want == "" && k != nil:
				t.Errorf("got %s, want nil", k.Name)
			case tc.want != "" && (k == nil || k.Name != tc.want || k.Global):
				t.Errorf("got %+v, want iam's %s", k, tc.want)
			}
		})
	}
}

// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html
func TestManagedPolicy(t *testing.T) {
	c := catalog.Default()
	for _, tc := range []struct {
		query, name, arn, path string
	}{
		{"ReadOnlyAccess", "ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", "/"},
		{"readonlyaccess", "ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", "/"},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", "/"},
		{"arn:aws:iam::aws:policy/job-function/Billing", "Billing", "arn:aws:iam::aws:policy/job-function/Billing", "/job-function/"},
		{"Billing", "Billing", "arn:aws:iam::aws:policy/job-function/Billing", "/job-function/"},
		{"AdministratorAccess", "AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess", "/"},
		{"arn:aws:iam::aws:policy/Billing", "", "", ""},
		{"arn:aws:iam::aws:policy/readonlyaccess", "", "", ""},
		{"NoSuchPolicy", "", "", ""},
		{"", "", "", ""},
	} {
		t.Run(tc.query, func(t *testing.T) {
			p := c.ManagedPolicy(tc.query)
			if tc.name == "" {
				if p != nil {
					t.Fatalf("got %s, want nil", p.ARN)
				}
				return
			}
			if p == nil || p.Name != tc.name || p.ARN != tc.arn || p.Path != tc.path {
				t.Fatalf("got %+v, want %s %s %s", p, tc.name, tc.arn, tc.path)
			}
			if !strings.Contains(p.Document, `"Statement"`) {
				t.Errorf("document %.200s", p.Document)
			}
		})
	}

	// The example of shared/data/README.md, byte for byte.
	p := c.ManagedPolicy("IAMUserChangePassword")
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:aws:iam::*:user/${aws:username}","arn:aws:iam::*:user/*/${aws:username}"]},{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`
	if p == nil || p.Document != doc || p.DefaultVersionID != "v5" || p.Path != "/" ||
		p.CreateDate.Format("2006-01-02T15:04:05Z07:00") != "2016-11-15T00:25:16Z" ||
		p.UpdateDate.Format("2006-01-02T15:04:05Z07:00") != "2026-02-12T17:58:57Z" {
		t.Errorf("IAMUserChangePassword: %+v", p)
	}
}

func TestManagedPolicies(t *testing.T) {
	list := catalog.Default().ManagedPolicies()
	if !slices.IsSortedFunc(list, func(a, b *catalog.ManagedPolicy) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("not sorted by name")
	}
	for _, p := range list {
		if !strings.HasPrefix(p.ARN, "arn:aws:iam::aws:policy"+p.Path) || !strings.HasSuffix(p.ARN, "/"+p.Name) ||
			!strings.HasPrefix(p.DefaultVersionID, "v") || p.CreateDate.IsZero() || p.UpdateDate.Before(p.CreateDate) ||
			p.CreateDate.Location().String() != "UTC" {
			t.Errorf("%s: %s %s %s %v %v", p.Name, p.ARN, p.Path, p.DefaultVersionID, p.CreateDate, p.UpdateDate)
		}
		if catalog.Default().ManagedPolicy(p.ARN) != p || catalog.Default().ManagedPolicy(p.Name) != p {
			t.Errorf("%s: look-up by ARN or name fails", p.Name)
		}
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{catalog.List.String(), "List"},
		{catalog.Read.String(), "Read"},
		{catalog.Write.String(), "Write"},
		{catalog.PermissionsManagement.String(), "Permissions management"},
		{catalog.Tagging.String(), "Tagging"},
		{catalog.AccessLevel(0).String(), "AccessLevel(0)"},
		{catalog.AccessLevel(6).String(), "AccessLevel(6)"},
		{catalog.String.String(), "String"},
		{catalog.ArrayOfString.String(), "ArrayOfString"},
		{catalog.ARN.String(), "ARN"},
		{catalog.ArrayOfARN.String(), "ArrayOfARN"},
		{catalog.Bool.String(), "Bool"},
		{catalog.ArrayOfBool.String(), "ArrayOfBool"},
		{catalog.Numeric.String(), "Numeric"},
		{catalog.Date.String(), "Date"},
		{catalog.IPAddress.String(), "IPAddress"},
		{catalog.KeyType(0).String(), "KeyType(0)"},
		{catalog.KeyType(10).String(), "KeyType(10)"},
		{catalog.ArrayOfARN.Elem().String(), "ARN"},
		{catalog.Date.Elem().String(), "Date"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	if !catalog.ArrayOfBool.IsArray() || catalog.Bool.IsArray() {
		t.Error("IsArray")
	}
}

// Look-ups do not allocate (STYLE.md rule 23).
func TestLookupAllocs(t *testing.T) {
	c := catalog.Default()
	iam := c.Service("iam")
	c.ManagedPolicies() // decode the policies first
	unknown := "iam:" + strings.Repeat("x", 100)
	longTag := "aws:PrincipalTag/" + strings.Repeat("x", 200)
	for _, tc := range []struct {
		name string
		f    func() bool
	}{
		{"Action", func() bool { return c.Action("iam:CreateUser") != nil }},
		{"Action/lower", func() bool { return c.Action("iam:createuser") != nil }},
		{"Action/unknown", func() bool { return c.Action(unknown) == nil }},
		{"Service", func() bool { return c.Service("IAM") != nil }},
		{"Service.Action", func() bool { return iam.Action("PutUserPolicy") != nil }},
		{"Service.ResourceType", func() bool { return iam.ResourceType("User") != nil }},
		{"Service.ConditionKey", func() bool { return iam.ConditionKey("aws:RequestTag/team") != nil }},
		{"ConditionKey/global", func() bool { return c.ConditionKey("aws:SourceIp") != nil }},
		{"ConditionKey/variable", func() bool { return c.ConditionKey(longTag) != nil }},
		{"ConditionKey/service", func() bool { return c.ConditionKey("s3:ExistingObjectTag/Project") != nil }},
		{"MatchActions/service", func() bool { return len(c.MatchActions("iam:*")) > 0 }},
		{"ManagedPolicy", func() bool { return c.ManagedPolicy("ReadOnlyAccess") != nil }},
		{"ManagedPolicy/ARN", func() bool { return c.ManagedPolicy("arn:aws:iam::aws:policy/ReadOnlyAccess") != nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.f() {
				t.Fatal("wrong result")
			}
			if n := testing.AllocsPerRun(100, func() { tc.f() }); n != 0 {
				t.Errorf("%v allocations, want 0", n)
			}
		})
	}
}

// Default and the policies decode once, whoever asks first.
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	got := make([]*catalog.ManagedPolicy, 8)
	for i := range got {
		wg.Go(func() {
			c := catalog.Default()
			if c.Action("iam:CreateUser") == nil {
				t.Error("no iam:CreateUser")
			}
			got[i] = c.ManagedPolicy("ReadOnlyAccess")
		})
	}
	wg.Wait()
	for _, p := range got {
		if p == nil || p != got[0] {
			t.Fatal("policies decoded more than once")
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	c := catalog.Default()
	iam := c.Service("iam")
	c.ManagedPolicies()
	for _, bc := range []struct {
		name string
		f    func() bool
	}{
		{"Action", func() bool { return c.Action("iam:CreateUser") != nil }},
		{"Action/lower", func() bool { return c.Action("iam:createuser") != nil }},
		{"Service.Action", func() bool { return iam.Action("CreateUser") != nil }},
		{"ConditionKey/global", func() bool { return c.ConditionKey("aws:SourceIp") != nil }},
		{"ConditionKey/variable", func() bool { return c.ConditionKey("aws:PrincipalTag/team") != nil }},
		{"ConditionKey/service", func() bool { return c.ConditionKey("s3:ExistingObjectTag/Project") != nil }},
		{"MatchActions/iam:Get*", func() bool { return len(c.MatchActions("iam:Get*")) > 0 }},
		{"MatchActions/s3:*Object*", func() bool { return len(c.MatchActions("s3:*Object*")) > 0 }},
		{"ManagedPolicy", func() bool { return c.ManagedPolicy("ReadOnlyAccess") != nil }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !bc.f() {
					b.Fatal("wrong result")
				}
			}
		})
	}
}
