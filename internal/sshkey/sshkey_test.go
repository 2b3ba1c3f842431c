package sshkey_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/sshkey"
)

// The keys in testdata were made by OpenSSH's ssh-keygen (-t rsa -b
// 2048, -b 1024, -t ed25519; -e -m PKCS8, PEM and RFC4716 for the other
// encodings of the 2048-bit key) and OpenSSL (a P-256 public key);
// rsa2048.md5 is what `ssh-keygen -l -E md5` printed for it.
func read(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParse(t *testing.T) {
	pub, pkcs8, pkcs1 := read(t, "rsa2048.pub"), read(t, "rsa2048.pkcs8.pem"), read(t, "rsa2048.pkcs1.pem")
	fingerprint := strings.TrimSpace(read(t, "rsa2048.md5"))
	line := strings.Join(strings.Fields(pub)[:2], " ") // without the comment
	for _, tc := range []struct {
		name, body string
		format     sshkey.Format
		err        error
	}{
		{"OpenSSH", pub, sshkey.OpenSSH, nil},
		{"OpenSSH without comment", line, sshkey.OpenSSH, nil},
		{"OpenSSH with white space around", "\n  " + pub + "\n\n", sshkey.OpenSSH, nil},
		{"PEM PKIX", pkcs8, sshkey.PEM, nil},
		{"PEM PKCS #1", pkcs1, sshkey.PEM, nil},
		{"PEM with white space around", "\r\n" + pkcs8 + "  ", sshkey.PEM, nil},

		{"RFC 4716", read(t, "rsa2048.rfc4716"), 0, sshkey.ErrUnrecognized},
		{"Ed25519", read(t, "ed25519.pub"), 0, sshkey.ErrUnrecognized},
		{"PEM ECDSA", read(t, "p256.pem"), 0, sshkey.ErrUnrecognized},
		{"PEM private key", strings.ReplaceAll(pkcs8, "PUBLIC", "PRIVATE"), 0, sshkey.ErrUnrecognized},
		{"empty", "", 0, sshkey.ErrUnrecognized},
		{"not a key", "hello", 0, sshkey.ErrUnrecognized},
		{"algorithm upper-case", "SSH-RSA" + strings.TrimPrefix(line, "ssh-rsa"), 0, sshkey.ErrUnrecognized},

		{"bad base64", "ssh-rsa AAAA!!!!", 0, sshkey.ErrMalformed},
		{"no base64", "ssh-rsa", 0, sshkey.ErrMalformed},
		{"truncated", line[:len(line)-20], 0, sshkey.ErrMalformed},
		{"two keys", pub + pub, 0, sshkey.ErrMalformed},
		{"an Ed25519 blob named ssh-rsa", "ssh-rsa " + strings.Fields(read(t, "ed25519.pub"))[1], 0, sshkey.ErrMalformed},
		{"PEM with text after", pkcs8 + "trailer", 0, sshkey.ErrMalformed},
		{"PEM bad DER", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", 0, sshkey.ErrMalformed},
		{"PEM not closed", strings.Split(pkcs8, "-----END")[0], 0, sshkey.ErrMalformed},
		{"PKIX bytes as PKCS #1", strings.ReplaceAll(pkcs8, "PUBLIC KEY", "RSA PUBLIC KEY"), 0, sshkey.ErrMalformed},

		{"RSA 1024", read(t, "rsa1024.pub"), 0, sshkey.ErrTooSmall},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := sshkey.Parse(tc.body)
			if tc.err != nil {
				if err != tc.err {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Format() != tc.format {
				t.Errorf("Format = %v, want %v", k.Format(), tc.format)
			}
			if got := k.Fingerprint(); got != fingerprint {
				t.Errorf("Fingerprint = %s, want ssh-keygen's %s", got, fingerprint)
			}
			if got := k.OpenSSH(); got != line {
				t.Errorf("OpenSSH = %q, want %q", got, line)
			}
			if got, err := k.PEM(); err != nil || got != pkcs8 {
				t.Errorf("PEM = %q, %v; want ssh-keygen's %q", got, err, pkcs8)
			}
		})
	}
}

// FuzzParse: the parser never panics, refuses with one of its errors,
// and a key it takes reads back the same from both its encodings.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"rsa2048.pub", "rsa2048.pkcs8.pem", "rsa2048.pkcs1.pem", "rsa2048.rfc4716", "rsa1024.pub", "ed25519.pub", "p256.pem"} {
		f.Add(read(f, name))
	}
	f.Fuzz(func(t *testing.T, body string) {
		k, err := sshkey.Parse(body)
		if err != nil {
			if err != sshkey.ErrUnrecognized && err != sshkey.ErrMalformed && err != sshkey.ErrTooSmall {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		p, err := k.PEM()
		if err != nil {
			t.Fatal(err)
		}
		for _, again := range []string{k.OpenSSH(), p} {
			k2, err := sshkey.Parse(again)
			if err != nil || k2.Fingerprint() != k.Fingerprint() {
				t.Fatalf("%q read back as %v, %v", again, k2.Fingerprint(), err)
			}
		}
	})
}
