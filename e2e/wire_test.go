package e2e_test

import "testing"

// TestWellFormedErrorsBoto3: boto3 parses the error of a request whose
// GroupName holds characters XML 1.0 cannot carry (NUL, SOH, U+FFFE,
// bytes that are not UTF-8 such as an encoded lone surrogate, which
// Python can only send as bytes, so with parameter validation off):
// before, the error echoed them raw and botocore raised
// ResponseParserError. They come back as U+FFFD; DEL, an XML
// character, comes back as itself.
// https://www.w3.org/TR/xml/#charsets
func TestWellFormedErrorsBoto3(t *testing.T) {
	needBoto3(t)
	dir := t.TempDir()
	p := serve(t, dir)
	script := `
iam = client(parameter_validation=False, retries={"max_attempts": 1})
pattern = "' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
cases = [
    ("a\x00b", "a\ufffdb"),
    ("a\x01b", "a\ufffdb"),
    ("a\x7fb", "a\x7fb"),
    ("a\ufffeb", "a\ufffdb"),
    (b"a\xed\xa0\x80b", "a\ufffd\ufffd\ufffdb"),
    (b"a\xff\xfeb", "a\ufffd\ufffdb"),
]
for sent, echoed in cases:
    try:
        iam.get_group(GroupName=sent)
        sys.exit("no error for %r" % sent)
    except iam.exceptions.ClientError as e:
        err = e.response["Error"]
        want = "1 validation error detected: Value '" + echoed + pattern
        if err["Code"] != "ValidationError" or err["Message"] != want:
            sys.exit("%r: %r\nwant %r" % (sent, err, want))
print("ok")
`
	boto3(t, p, script)
}
