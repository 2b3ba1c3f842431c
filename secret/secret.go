package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Errors.
var (
	ErrUnknownKey = errors.New("secret: sealed with an unknown key")
	ErrOpen       = errors.New("secret: cannot open sealed data")
	ErrKey        = errors.New("secret: a key has 32 bytes and an ID of 1 to 32 printable characters")
	ErrHash       = errors.New("secret: malformed password hash")
)

// Key is a 256-bit key-encryption key with an ID.
type Key struct {
	ID  string
	raw []byte
}

// LogValue keeps a key out of logs.
func (k Key) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// NewKey returns the key with id and raw bytes.
func NewKey(id string, raw []byte) (Key, error) {
	if len(raw) != 32 || id == "" || len(id) > 32 || strings.ContainsAny(id, ": \n") {
		return Key{}, ErrKey
	}
	return Key{ID: id, raw: append([]byte(nil), raw...)}, nil
}

// GenerateKey returns a new random key.
func GenerateKey(id string) (Key, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Key{}, err
	}
	return NewKey(id, raw)
}

// Raw returns the key's bytes, for the caller to persist.
func (k Key) Raw() []byte { return append([]byte(nil), k.raw...) }

// Keyring seals with its primary key and opens with any of its keys.
type Keyring struct {
	primary Key
	aeads   map[string]cipher.AEAD
}

// NewKeyring returns a keyring sealing with primary; old keys still open
// what they sealed.
func NewKeyring(primary Key, old ...Key) *Keyring {
	kr := &Keyring{primary: primary, aeads: make(map[string]cipher.AEAD)}
	for _, k := range append([]Key{primary}, old...) {
		block, err := aes.NewCipher(k.raw)
		if err != nil {
			panic("secret: " + err.Error()) // NewKey guarantees 32 bytes
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			panic("secret: " + err.Error())
		}
		kr.aeads[k.ID] = aead
	}
	return kr
}

// Seal encrypts plaintext bound to associatedData. The result holds the
// key ID, the nonce and the ciphertext.
func (kr *Keyring) Seal(plaintext, associatedData []byte) ([]byte, error) {
	aead := kr.aeads[kr.primary.ID]
	out := make([]byte, 0, 1+len(kr.primary.ID)+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out = append(out, byte(len(kr.primary.ID)))
	out = append(out, kr.primary.ID...)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, associatedData), nil
}

// Open decrypts what Seal produced with the same associatedData.
func (kr *Keyring) Open(sealed, associatedData []byte) ([]byte, error) {
	if len(sealed) < 1 || len(sealed) < 1+int(sealed[0]) {
		return nil, ErrOpen
	}
	id := string(sealed[1 : 1+sealed[0]])
	aead, ok := kr.aeads[id]
	if !ok {
		return nil, ErrUnknownKey
	}
	rest := sealed[1+len(id):]
	if len(rest) < aead.NonceSize() {
		return nil, ErrOpen
	}
	pt, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], associatedData)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// argon2id parameters (OWASP's minimum: 19 MiB, 2 iterations, 1 lane).
// https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns the argon2id hash of pw as a PHC string.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	h := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(h)), nil
}

// VerifyPassword reports whether pw matches hash, in constant time.
func VerifyPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrHash
	}
	var (
		version int
		mem, t  uint32
		threads uint8
	)
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &threads); err != nil {
		return false, ErrHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrHash
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
