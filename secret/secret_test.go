package secret_test

import (
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/secret"
)

func TestSealOpen(t *testing.T) {
	k1, _ := secret.GenerateKey("k1")
	k2, _ := secret.GenerateKey("k2")
	kr := secret.NewKeyring(k1)
	sealed, err := kr.Seal([]byte("wJalrXUtnFEMI"), []byte("AKIA1"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := kr.Open(sealed, []byte("AKIA1")); err != nil || string(pt) != "wJalrXUtnFEMI" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	if _, err := kr.Open(sealed, []byte("AKIA2")); !errors.Is(err, secret.ErrOpen) {
		t.Fatalf("wrong associated data: %v", err)
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := kr.Open(tampered, []byte("AKIA1")); !errors.Is(err, secret.ErrOpen) {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := secret.NewKeyring(k2).Open(sealed, []byte("AKIA1")); !errors.Is(err, secret.ErrUnknownKey) {
		t.Fatalf("unknown key: %v", err)
	}
	// Rotation: a new primary still opens what the old key sealed.
	rotated := secret.NewKeyring(k2, k1)
	if pt, err := rotated.Open(sealed, []byte("AKIA1")); err != nil || string(pt) != "wJalrXUtnFEMI" {
		t.Fatalf("after rotation: %q, %v", pt, err)
	}
	if _, err := secret.NewKey("k", make([]byte, 16)); !errors.Is(err, secret.ErrKey) {
		t.Fatalf("short key: %v", err)
	}
}

func TestPassword(t *testing.T) {
	h, err := secret.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := secret.VerifyPassword(h, "correct horse"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := secret.VerifyPassword(h, "Correct horse"); ok {
		t.Fatal("wrong password accepted")
	}
	if _, err := secret.VerifyPassword("$md5$x", "a"); !errors.Is(err, secret.ErrHash) {
		t.Fatalf("malformed hash: %v", err)
	}
}
