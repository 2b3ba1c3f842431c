package password

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Symbols are the non-alphanumeric characters that count as symbols, as
// the password policy lists them. Other characters count towards the
// length only.
const Symbols = "!@#$%^&*()_+-=[]{}|'"

// Rules are what a password policy asks of a new password.
type Rules struct {
	// MinLength is the least number of characters (Unicode code points).
	MinLength int
	// MinTypes is the least number of the four character types
	// (upper-case and lower-case ASCII letters, ASCII digits, Symbols)
	// it must have.
	MinTypes int
	// RequireUppercase, RequireLowercase, RequireNumbers and
	// RequireSymbols each ask for at least one character of its type.
	RequireUppercase, RequireLowercase, RequireNumbers, RequireSymbols bool
}

// Default is AWS's default password policy, in force while an account
// has no custom one: at least 8 characters and three of the four
// character types. (Its third rule, that the password is not the
// account's name or email address, needs account data the rules do not
// have.)
func Default() Rules { return Rules{MinLength: 8, MinTypes: 3} }

// ErrPolicy is a password the rules refuse. Each rule's error wraps it.
var ErrPolicy = errors.New("password: does not conform to the password policy")

// The rules' errors, in the order Check applies the rules.
var (
	ErrTooShort    = fmt.Errorf("%w: too short", ErrPolicy)
	ErrTooFewTypes = fmt.Errorf("%w: too few character types", ErrPolicy)
	ErrNoUppercase = fmt.Errorf("%w: no upper-case letter", ErrPolicy)
	ErrNoLowercase = fmt.Errorf("%w: no lower-case letter", ErrPolicy)
	ErrNoNumber    = fmt.Errorf("%w: no number", ErrPolicy)
	ErrNoSymbol    = fmt.Errorf("%w: no symbol", ErrPolicy)
)

// types tells which character types a password has.
type types struct {
	upper, lower, number, symbol bool
}

func typesOf(pw string) types {
	var t types
	for _, c := range pw {
		switch {
		case 'A' <= c && c <= 'Z':
			t.upper = true
		case 'a' <= c && c <= 'z':
			t.lower = true
		case '0' <= c && c <= '9':
			t.number = true
		case strings.ContainsRune(Symbols, c):
			t.symbol = true
		}
	}
	return t
}

func (t types) count() int {
	n := 0
	for _, b := range [...]bool{t.upper, t.lower, t.number, t.symbol} {
		if b {
			n++
		}
	}
	return n
}

// Check applies the rules to a new password: nil if it meets them all,
// else the error of the first it breaks.
func (r Rules) Check(pw string) error {
	t := typesOf(pw)
	switch {
	case utf8.RuneCountInString(pw) < r.MinLength:
		return ErrTooShort
	case t.count() < r.MinTypes:
		return ErrTooFewTypes
	case r.RequireUppercase && !t.upper:
		return ErrNoUppercase
	case r.RequireLowercase && !t.lower:
		return ErrNoLowercase
	case r.RequireNumbers && !t.number:
		return ErrNoNumber
	case r.RequireSymbols && !t.symbol:
		return ErrNoSymbol
	}
	return nil
}
