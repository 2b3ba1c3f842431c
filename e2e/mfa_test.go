package e2e_test

import (
	"bytes"
	"encoding/base32"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/totp"
)

// TestMFAWithAWSCLI sets up virtual MFA devices with the aws CLI as the
// IAM User Guide does: create-virtual-mfa-device writing the QR code or
// the base32 seed to a file, enable-mfa-device with two consecutive codes
// computed from that seed, list-mfa-devices, list-virtual-mfa-devices,
// deactivate and delete.
// https://docs.aws.amazon.com/cli/latest/reference/iam/create-virtual-mfa-device.html
func TestMFAWithAWSCLI(t *testing.T) {
	dir := t.TempDir()
	serve(t, dir)
	run := awsCLI(t, dir)
	mustRun := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("aws iam %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	codes := func(seed string, offset int64) (string, string) {
		key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(seed)
		if err != nil {
			t.Fatalf("seed %q: %v", seed, err)
		}
		s := totp.Step(time.Now()) + offset
		return totp.Code(key, s), totp.Code(key, s+1)
	}
	var created struct {
		VirtualMFADevice struct{ SerialNumber string }
	}
	mustRun("create-user", "--user-name", "mallory")

	// The QR code, written as a PNG file.
	qrFile := filepath.Join(dir, "qr.png")
	out := mustRun("create-virtual-mfa-device", "--virtual-mfa-device-name", "mallory-phone", "--outfile", qrFile, "--bootstrap-method", "QRCodePNG")
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.VirtualMFADevice.SerialNumber == "" {
		t.Fatalf("create-virtual-mfa-device output: %v\n%s", err, out)
	}
	qrSerial := created.VirtualMFADevice.SerialNumber
	if !regexp.MustCompile(`^arn:aws:iam::\d{12}:mfa/mallory-phone$`).MatchString(qrSerial) {
		t.Fatalf("SerialNumber = %s", qrSerial)
	}
	data, err := os.ReadFile(qrFile)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != img.Bounds().Dy() || img.Bounds().Dx() < 21 {
		t.Fatalf("the QR code file is no square PNG: %v", err)
	}

	// The seed, written as base32 text.
	seedFile := filepath.Join(dir, "seed.txt")
	out = mustRun("create-virtual-mfa-device", "--virtual-mfa-device-name", "mallory-laptop", "--path", "/it/", "--outfile", seedFile, "--bootstrap-method", "Base32StringSeed")
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("create-virtual-mfa-device output: %v\n%s", err, out)
	}
	seedSerial := created.VirtualMFADevice.SerialNumber
	if !strings.HasSuffix(seedSerial, ":mfa/it/mallory-laptop") {
		t.Fatalf("SerialNumber = %s", seedSerial)
	}
	seed, err := os.ReadFile(seedFile)
	if err != nil || !regexp.MustCompile(`^[A-Z2-7]{64}$`).Match(seed) {
		t.Fatalf("seed file %q: %v", seed, err)
	}

	// Wrong codes are refused with AWS's error.
	out, err = run("enable-mfa-device", "--user-name", "mallory", "--serial-number", seedSerial, "--authentication-code1", "123456", "--authentication-code2", "654321")
	if err == nil || !strings.Contains(out, "InvalidAuthenticationCode") || !strings.Contains(out, "Authentication code for device is not valid.") {
		t.Fatalf("enable-mfa-device with wrong codes: %v\n%s", err, out)
	}
	c1, c2 := codes(string(seed), 0)
	mustRun("enable-mfa-device", "--user-name", "mallory", "--serial-number", seedSerial, "--authentication-code1", c1, "--authentication-code2", c2)

	// With zbarimg, the QR code is read as an authenticator app reads it
	// and that device is enabled too.
	want := []string{seedSerial}
	if zbar, err := exec.LookPath("zbarimg"); err == nil {
		uri, err := exec.Command(zbar, "--quiet", "--raw", qrFile).Output()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		m := regexp.MustCompile(`^otpauth://totp/Amazon%20Web%20Services:mallory-phone@\d{12}\?secret=([A-Z2-7]{64})&issuer=Amazon%20Web%20Services$`).FindStringSubmatch(strings.TrimSpace(string(uri)))
		if m == nil {
			t.Fatalf("QR code = %q", uri)
		}
		c1, c2 := codes(m[1], 0)
		mustRun("enable-mfa-device", "--user-name", "mallory", "--serial-number", qrSerial, "--authentication-code1", c1, "--authentication-code2", c2)
		want = append(want, qrSerial)
	}

	var listed struct {
		MFADevices []struct{ UserName, SerialNumber, EnableDate string }
	}
	out = mustRun("list-mfa-devices", "--user-name", "mallory")
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed.MFADevices) != len(want) {
		t.Fatalf("list-mfa-devices: %v\n%s", err, out)
	}
	for i, d := range listed.MFADevices {
		if d.UserName != "mallory" || d.SerialNumber != want[i] || d.EnableDate == "" {
			t.Fatalf("list-mfa-devices[%d] = %+v", i, d)
		}
	}
	out = mustRun("list-virtual-mfa-devices", "--assignment-status", "Assigned", "--query", "VirtualMFADevices[].User.UserName", "--output", "text")
	if got := strings.Fields(out); len(got) != len(want) || got[0] != "mallory" {
		t.Fatalf("list-virtual-mfa-devices --assignment-status Assigned: %q", out)
	}

	// The user cannot go while it has MFA devices; the devices stay
	// after deactivation and then can be deleted.
	out, err = run("delete-user", "--user-name", "mallory")
	if err == nil || !strings.Contains(out, "DeleteConflict") || !strings.Contains(out, "must delete MFA device first") {
		t.Fatalf("delete-user with an MFA device: %v\n%s", err, out)
	}
	for _, serial := range want {
		mustRun("deactivate-mfa-device", "--user-name", "mallory", "--serial-number", serial)
	}
	out = mustRun("list-virtual-mfa-devices", "--assignment-status", "Unassigned", "--query", "VirtualMFADevices[].SerialNumber", "--output", "text")
	if got := strings.Fields(out); len(got) != 2 {
		t.Fatalf("list-virtual-mfa-devices --assignment-status Unassigned: %q", out)
	}
	mustRun("delete-virtual-mfa-device", "--serial-number", seedSerial)
	mustRun("delete-virtual-mfa-device", "--serial-number", qrSerial)
	mustRun("delete-user", "--user-name", "mallory")
}
