package password_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/password"
)

// The rules as the password policy page gives them:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
func TestCheck(t *testing.T) {
	all := password.Rules{MinLength: 10, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}
	for _, tc := range []struct {
		name  string
		rules password.Rules
		pw    string
		want  error
	}{
		{"default: three types", password.Default(), "Abcdefg1", nil},
		{"default: four types", password.Default(), "Abc-efg1", nil},
		{"default: lower, number, symbol", password.Default(), "abc!efg1", nil},
		{"default: seven characters", password.Default(), "Abcde1!", password.ErrTooShort},
		{"default: two types", password.Default(), "abcdefgh1", password.ErrTooFewTypes},
		{"default: non-ASCII letters are no type", password.Default(), "Ééééééé1", password.ErrTooFewTypes},
		{"default: a symbol not on the list", password.Default(), "abcdefg1~", password.ErrTooFewTypes},
		{"default: length in characters, not bytes", password.Default(), "Aé1éééé", password.ErrTooShort},
		{"default: eight characters, some multi-byte", password.Default(), "Aa1ééééé", nil},

		{"no rules", password.Rules{}, "", nil},
		{"custom length only", password.Rules{MinLength: 6}, "aaaaaa", nil},
		{"custom length", password.Rules{MinLength: 6}, "aaaaa", password.ErrTooShort},
		{"every rule met", all, "Aa1!Aa1!Aa", nil},
		{"every symbol counts", all, "Aa1" + password.Symbols, nil},
		{"no upper-case", all, "aa1!aa1!aa", password.ErrNoUppercase},
		{"no lower-case", all, "AA1!AA1!AA", password.ErrNoLowercase},
		{"no number", all, "Aa!!Aa!!Aa", password.ErrNoNumber},
		{"no symbol", all, "Aa11Aa11Aa", password.ErrNoSymbol},
		{"too short first", all, "aaaa", password.ErrTooShort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rules.Check(tc.pw)
			if err != tc.want {
				t.Fatalf("Check(%q) = %v, want %v", tc.pw, err, tc.want)
			}
			if err != nil && !errors.Is(err, password.ErrPolicy) {
				t.Fatalf("%v does not wrap ErrPolicy", err)
			}
		})
	}
}

func TestSymbols(t *testing.T) {
	// The list as the page prints it: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '
	const page = "! @ # $ % ^ & * ( ) _ + - = [ ] { } | '"
	if got := strings.Join(strings.Split(password.Symbols, ""), " "); got != page {
		t.Fatalf("Symbols = %q, want %q", got, page)
	}
}
