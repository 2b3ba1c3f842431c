package catalog

import "strconv"

// AccessLevel is the access level the Service Authorization Reference
// gives an action. The zero AccessLevel is unknown.
type AccessLevel uint8

// The access levels, in the reference's order.
const (
	List AccessLevel = iota + 1
	Read
	Write
	PermissionsManagement
	Tagging
)

var accessLevelNames = [...]string{
	List:                  "List",
	Read:                  "Read",
	Write:                 "Write",
	PermissionsManagement: "Permissions management",
	Tagging:               "Tagging",
}

// String returns the level as AWS writes it ("Permissions management"), or
// "AccessLevel(n)" for a value that is not a level.
func (l AccessLevel) String() string {
	if l != 0 && int(l) < len(accessLevelNames) {
		return accessLevelNames[l]
	}
	return "AccessLevel(" + strconv.Itoa(int(l)) + ")"
}

// KeyType is the type of a condition key's values, as the Service
// Authorization Reference and the global condition keys page give it. The
// zero KeyType is unknown.
type KeyType uint8

// The condition key types. The Array types are multivalued keys, used with
// the ForAllValues and ForAnyValue set operators.
const (
	String KeyType = iota + 1
	ArrayOfString
	ARN
	ArrayOfARN
	Bool
	ArrayOfBool
	Numeric
	Date
	IPAddress
)

var keyTypeNames = [...]string{
	String:        "String",
	ArrayOfString: "ArrayOfString",
	ARN:           "ARN",
	ArrayOfARN:    "ArrayOfARN",
	Bool:          "Bool",
	ArrayOfBool:   "ArrayOfBool",
	Numeric:       "Numeric",
	Date:          "Date",
	IPAddress:     "IPAddress",
}

// String returns the type as AWS writes it ("ArrayOfString"), or
// "KeyType(n)" for a value that is not a type.
func (t KeyType) String() string {
	if t != 0 && int(t) < len(keyTypeNames) {
		return keyTypeNames[t]
	}
	return "KeyType(" + strconv.Itoa(int(t)) + ")"
}

// IsArray reports whether the type is multivalued (ArrayOfString, ...).
func (t KeyType) IsArray() bool {
	switch t {
	case ArrayOfString, ArrayOfARN, ArrayOfBool:
		return true
	}
	return false
}

// Elem returns the type of one value: String for ArrayOfString, and t
// itself for a single-valued type.
func (t KeyType) Elem() KeyType {
	switch t {
	case ArrayOfString:
		return String
	case ArrayOfARN:
		return ARN
	case ArrayOfBool:
		return Bool
	}
	return t
}
