package server_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/totp"
)

const mfaARN = "arn:aws:iam::" + testAccount + ":mfa/"

// mfaDevice is a virtual MFA device as the test sees it: its serial and
// the secret an authenticator app would hold.
type mfaDevice struct {
	serial string
	key    []byte
	out    *types.VirtualMFADevice
}

func newMFADevice(t *testing.T, c *awsiam.Client, in *awsiam.CreateVirtualMFADeviceInput) mfaDevice {
	t.Helper()
	out := must[*awsiam.CreateVirtualMFADeviceOutput](t)(c.CreateVirtualMFADevice(context.Background(), in))
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(out.VirtualMFADevice.Base32StringSeed))
	if err != nil {
		t.Fatalf("Base32StringSeed %q: %v", out.VirtualMFADevice.Base32StringSeed, err)
	}
	return mfaDevice{serial: *out.VirtualMFADevice.SerialNumber, key: key, out: out.VirtualMFADevice}
}

// codes returns the codes of the device for the current step plus
// offset and the one after, as an authenticator app shows them.
func (d mfaDevice) codes(offset int64) (string, string) {
	s := totp.Step(time.Now()) + offset
	return totp.Code(d.key, s), totp.Code(d.key, s+1)
}

func (d mfaDevice) enable(c *awsiam.Client, user string, offset int64) error {
	c1, c2 := d.codes(offset)
	_, err := c.EnableMFADevice(context.Background(), &awsiam.EnableMFADeviceInput{
		UserName: aws.String(user), SerialNumber: aws.String(d.serial), AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2),
	})
	return err
}

func (d mfaDevice) resync(c *awsiam.Client, user string, offset int64) error {
	c1, c2 := d.codes(offset)
	_, err := c.ResyncMFADevice(context.Background(), &awsiam.ResyncMFADeviceInput{
		UserName: aws.String(user), SerialNumber: aws.String(d.serial), AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2),
	})
	return err
}

func listVirtualMFA(t *testing.T, c *awsiam.Client, status types.AssignmentStatusType) []types.VirtualMFADevice {
	t.Helper()
	out := must[*awsiam.ListVirtualMFADevicesOutput](t)(c.ListVirtualMFADevices(context.Background(), &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: status}))
	return out.VirtualMFADevices
}

func mfaSerials(devices []types.VirtualMFADevice) []string {
	var s []string
	for _, d := range devices {
		s = append(s, *d.SerialNumber)
	}
	return s
}

// TestMFALifecycle walks a virtual MFA device through its life as the
// IAM User Guide describes it: create, enable with two consecutive
// codes, resync, deactivate (the device stays, unassigned), delete.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html
func TestMFALifecycle(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}))

	before := time.Now().UTC().Truncate(time.Second)
	d := newMFADevice(t, a, &awsiam.CreateVirtualMFADeviceInput{
		VirtualMFADeviceName: aws.String("alice-phone"),
		Path:                 aws.String("/team/"),
		Tags:                 []types.Tag{{Key: aws.String("owner"), Value: aws.String("alice")}},
	})
	if d.serial != mfaARN+"team/alice-phone" {
		t.Fatalf("SerialNumber = %s", d.serial)
	}
	// AWS's seeds are 64 base32 characters: 40 random bytes.
	if len(d.out.Base32StringSeed) != 64 || len(d.key) != 40 {
		t.Fatalf("Base32StringSeed %q: %d characters, %d bytes", d.out.Base32StringSeed, len(d.out.Base32StringSeed), len(d.key))
	}
	if len(d.out.QRCodePNG) == 0 || d.out.User != nil || d.out.EnableDate != nil {
		t.Fatalf("created device = %+v", d.out)
	}
	if len(d.out.Tags) != 1 || *d.out.Tags[0].Key != "owner" {
		t.Fatalf("Tags = %+v", d.out.Tags)
	}
	other := newMFADevice(t, a, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare")})
	if other.serial != mfaARN+"spare" {
		t.Fatalf("SerialNumber = %s", other.serial)
	}
	if string(other.key) == string(d.key) {
		t.Fatal("two devices share a secret")
	}

	// Unassigned devices are listed, without a user; the default is Any.
	if got := mfaSerials(listVirtualMFA(t, a, "")); strings.Join(got, " ") != other.serial+" "+d.serial {
		t.Fatalf("ListVirtualMFADevices = %v", got)
	}
	if got := listVirtualMFA(t, a, types.AssignmentStatusTypeAssigned); len(got) != 0 {
		t.Fatalf("assigned before EnableMFADevice: %v", mfaSerials(got))
	}

	must[*awsiam.EnableMFADeviceOutput](t)(nil, d.enable(a, "alice", 0))

	list := must[*awsiam.ListMFADevicesOutput](t)(a.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("alice")}))
	if len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != d.serial || *list.MFADevices[0].UserName != "alice" || list.IsTruncated {
		t.Fatalf("ListMFADevices = %+v", list)
	}
	enabled := *list.MFADevices[0].EnableDate
	if enabled.Before(before) || enabled.After(time.Now().Add(time.Second)) {
		t.Fatalf("EnableDate = %v, want about %v", enabled, before)
	}
	assigned := listVirtualMFA(t, a, types.AssignmentStatusTypeAssigned)
	if len(assigned) != 1 || *assigned[0].SerialNumber != d.serial || assigned[0].User == nil || !assigned[0].EnableDate.Equal(enabled) {
		t.Fatalf("assigned devices = %+v", assigned)
	}
	if u := assigned[0].User; *u.UserName != "alice" || *u.Arn != "arn:aws:iam::"+testAccount+":user/alice" || !strings.HasPrefix(*u.UserId, "AIDA") {
		t.Fatalf("assigned device's user = %+v", u)
	}
	if assigned[0].Base32StringSeed != nil || assigned[0].QRCodePNG != nil || assigned[0].Tags != nil {
		t.Fatalf("a listing reveals the secret or tags: %+v", assigned[0])
	}
	if got := mfaSerials(listVirtualMFA(t, a, types.AssignmentStatusTypeUnassigned)); len(got) != 1 || got[0] != other.serial {
		t.Fatalf("unassigned devices = %v", got)
	}
	got := must[*awsiam.GetMFADeviceOutput](t)(a.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial)}))
	if *got.UserName != "alice" || *got.SerialNumber != d.serial || !got.EnableDate.Equal(enabled) || got.Certifications != nil {
		t.Fatalf("GetMFADevice = %+v", got)
	}

	// The user cannot be deleted while it has an MFA device, nor the
	// device while it is assigned.
	_, err := a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")})
	wantError(t, err, "DeleteConflict", "Cannot delete entity, must delete MFA device first.")
	_, err = a.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(d.serial)})
	wantError(t, err, "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.")

	// Resync takes two later consecutive codes; steps already used are
	// refused.
	wantError(t, d.resync(a, "alice", 0), "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	must[*awsiam.ResyncMFADeviceOutput](t)(nil, d.resync(a, "alice", 2))
	wantError(t, d.resync(a, "alice", 2), "InvalidAuthenticationCode", "Authentication code for device is not valid.")

	// Deactivating unassigns; the device remains, with its tags.
	must[*awsiam.DeactivateMFADeviceOutput](t)(a.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial)}))
	list = must[*awsiam.ListMFADevicesOutput](t)(a.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("alice")}))
	if len(list.MFADevices) != 0 {
		t.Fatalf("ListMFADevices after deactivating = %+v", list.MFADevices)
	}
	if got := mfaSerials(listVirtualMFA(t, a, types.AssignmentStatusTypeUnassigned)); len(got) != 2 {
		t.Fatalf("unassigned devices after deactivating = %v", got)
	}
	tags := must[*awsiam.ListMFADeviceTagsOutput](t)(a.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(d.serial)}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Value != "alice" {
		t.Fatalf("tags after deactivating = %+v", tags.Tags)
	}
	// The codes already used do not enable it again; fresh ones do.
	wantError(t, d.enable(a, "alice", 2), "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	must[*awsiam.EnableMFADeviceOutput](t)(nil, d.enable(a, "alice", 4))
	must[*awsiam.DeactivateMFADeviceOutput](t)(a.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial)}))

	must[*awsiam.DeleteVirtualMFADeviceOutput](t)(a.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(d.serial)}))
	if got := mfaSerials(listVirtualMFA(t, a, types.AssignmentStatusTypeAny)); len(got) != 1 || got[0] != other.serial {
		t.Fatalf("devices after deleting = %v", got)
	}
	_, err = a.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(d.serial)})
	wantError(t, err, "NoSuchEntity", "MFA Device with serial number "+d.serial+" does not exist.")
	must[*awsiam.DeleteUserOutput](t)(a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")}))
}

// TestMFAErrors checks the documented errors of the MFA operations,
// with the messages of AWS's recorded answers where there are some.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html#API_EnableMFADevice_Errors
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_mfa.snapshot.json
func TestMFAErrors(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	for _, n := range []string{"bob", "carol"} {
		must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(n)}))
	}
	bobs := newMFADevice(t, a, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("bobs")})
	must[*awsiam.EnableMFADeviceOutput](t)(nil, bobs.enable(a, "bob", 0))
	free := newMFADevice(t, a, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("free")})
	ghost := mfaARN + "ghost"
	enable := func(user, serial, c1, c2 string) error {
		_, err := a.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial), AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	c1, c2 := free.codes(0)
	old1, old2 := free.codes(-120) // an hour ago
	tests := []struct {
		name, code, msg string
		status          int
		call            func() error
	}{
		{"same path and name", "EntityAlreadyExists", "MFA device already exists.", 409, func() error {
			_, err := a.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("free")})
			return err
		}},
		{"same name in another case", "EntityAlreadyExists", "MFA device already exists.", 409, func() error {
			_, err := a.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("FREE")})
			return err
		}},
		{"name pattern", "ValidationError", "1 validation error detected: Value 'a b' at 'virtualMFADeviceName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", 400, func() error {
			_, err := a.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("a b")})
			return err
		}},
		{"duplicate tag keys", "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400, func() error {
			_, err := a.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("dup"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}})
			return err
		}},
		{"enable: no such user", "NoSuchEntity", "The user with name nobody cannot be found.", 404, func() error {
			return enable("nobody", free.serial, c1, c2)
		}},
		{"enable: no such device", "NoSuchEntity", "MFA Device with serial number " + ghost + " does not exist.", 404, func() error {
			return enable("carol", ghost, c1, c2)
		}},
		{"enable: wrong codes", "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403, func() error {
			return enable("carol", free.serial, "123456", "654321")
		}},
		{"enable: codes swapped", "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403, func() error {
			return enable("carol", free.serial, c2, c1)
		}},
		{"enable: codes of an hour ago", "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403, func() error {
			return enable("carol", free.serial, old1, old2)
		}},
		{"enable: another device's codes", "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403, func() error {
			b1, b2 := bobs.codes(3)
			return enable("carol", free.serial, b1, b2)
		}},
		{"enable: five digits", "ValidationError", "", 400, func() error {
			return enable("carol", free.serial, "12345", c2)
		}},
		{"enable: device of another user", "EntityAlreadyExists", "MFA Device is already in use.", 409, func() error {
			b1, b2 := bobs.codes(3)
			return enable("carol", bobs.serial, b1, b2)
		}},
		{"enable: device already the user's", "EntityAlreadyExists", "MFA Device is already in use.", 409, func() error {
			b1, b2 := bobs.codes(3)
			return enable("bob", bobs.serial, b1, b2)
		}},
		{"deactivate: device of another user", "NoSuchEntity", "MFA Device invalid for user.", 404, func() error {
			_, err := a.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("carol"), SerialNumber: aws.String(bobs.serial)})
			return err
		}},
		{"deactivate: unassigned device", "NoSuchEntity", "MFA Device invalid for user.", 404, func() error {
			_, err := a.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("carol"), SerialNumber: aws.String(free.serial)})
			return err
		}},
		{"deactivate: no such device", "NoSuchEntity", "MFA Device with serial number " + ghost + " does not exist.", 404, func() error {
			_, err := a.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(ghost)})
			return err
		}},
		{"resync: device of another user", "NoSuchEntity", "MFA Device invalid for user.", 404, func() error {
			return bobs.resync(a, "carol", 3)
		}},
		{"resync: wrong codes", "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403, func() error {
			_, err := a.ResyncMFADevice(ctx, &awsiam.ResyncMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(bobs.serial), AuthenticationCode1: aws.String("000000"), AuthenticationCode2: aws.String("000001")})
			return err
		}},
		{"get: device of another user", "NoSuchEntity", "MFA Device invalid for user.", 404, func() error {
			_, err := a.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("carol"), SerialNumber: aws.String(bobs.serial)})
			return err
		}},
		{"delete: no such device", "NoSuchEntity", "MFA Device with serial number " + ghost + " does not exist.", 404, func() error {
			_, err := a.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(ghost)})
			return err
		}},
		{"delete: assigned device", "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.", 409, func() error {
			_, err := a.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(bobs.serial)})
			return err
		}},
		{"tag: no such device", "NoSuchEntity", "MFA Device with serial number " + ghost + " does not exist.", 404, func() error {
			_, err := a.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: aws.String(ghost), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}},
		{"list: assignment status", "ValidationError", "1 validation error detected: Value 'Some' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Assigned, Unassigned, Any]", 400, func() error {
			_, err := a.ListVirtualMFADevices(ctx, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: "Some"})
			return err
		}},
		{"list: no such user", "NoSuchEntity", "The user with name nobody cannot be found.", 404, func() error {
			_, err := a.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("nobody")})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantErrorStatus(t, err, tc.code, tc.status, tc.msg)
		})
	}
	// None of the failures assigned the free device.
	if got := mfaSerials(listVirtualMFA(t, a, types.AssignmentStatusTypeUnassigned)); len(got) != 1 || got[0] != free.serial {
		t.Fatalf("unassigned devices = %v", got)
	}

	t.Run("tags quota", func(t *testing.T) {
		var tags []types.Tag
		for i := range 50 {
			tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
		}
		must[*awsiam.TagMFADeviceOutput](t)(a.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: aws.String(free.serial), Tags: tags}))
		_, err := a.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: aws.String(free.serial), Tags: []types.Tag{{Key: aws.String("one-more"), Value: aws.String("v")}}})
		wantError(t, err, "LimitExceeded", "The number of tags has reached the maximum limit.")
		// Replacing a value (keys ignore case) is no new tag.
		must[*awsiam.TagMFADeviceOutput](t)(a.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: aws.String(free.serial), Tags: []types.Tag{{Key: aws.String("K0"), Value: aws.String("w")}}}))
		must[*awsiam.UntagMFADeviceOutput](t)(a.UntagMFADevice(ctx, &awsiam.UntagMFADeviceInput{SerialNumber: aws.String(free.serial), TagKeys: []string{"k1", "k2"}}))
		// Tags are listed sorted by key ("K0" < "k10" < "k11" ...).
		out := must[*awsiam.ListMFADeviceTagsOutput](t)(a.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(free.serial), MaxItems: aws.Int32(10)}))
		if len(out.Tags) != 10 || !out.IsTruncated || *out.Tags[0].Key != "K0" || *out.Tags[0].Value != "w" || *out.Tags[1].Key != "k10" {
			t.Fatalf("ListMFADeviceTags = %+v", out)
		}
		rest := must[*awsiam.ListMFADeviceTagsOutput](t)(a.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(free.serial), Marker: out.Marker}))
		if len(rest.Tags) != 38 || rest.IsTruncated {
			t.Fatalf("second page: %d tags, truncated %v", len(rest.Tags), rest.IsTruncated)
		}
	})

	t.Run("eight devices per user", func(t *testing.T) {
		for i := range 8 {
			d := newMFADevice(t, a, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(fmt.Sprintf("carol-%d", i))})
			must[*awsiam.EnableMFADeviceOutput](t)(nil, d.enable(a, "carol", 0))
		}
		ninth := newMFADevice(t, a, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("carol-8")})
		wantError(t, ninth.enable(a, "carol", 0), "LimitExceeded", "Cannot exceed quota for MFADevicesPerUser: 8")
		// ListMFADevices pages through them in the order enabled.
		var got []string
		var marker *string
		for {
			out := must[*awsiam.ListMFADevicesOutput](t)(a.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("carol"), MaxItems: aws.Int32(3), Marker: marker}))
			for _, d := range out.MFADevices {
				got = append(got, strings.TrimPrefix(*d.SerialNumber, mfaARN))
			}
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if strings.Join(got, ",") != "carol-0,carol-1,carol-2,carol-3,carol-4,carol-5,carol-6,carol-7" {
			t.Fatalf("pages = %v", got)
		}
	})

	t.Run("virtual devices pages", func(t *testing.T) {
		var got []string
		var marker *string
		for {
			out := must[*awsiam.ListVirtualMFADevicesOutput](t)(a.ListVirtualMFADevices(ctx, &awsiam.ListVirtualMFADevicesInput{MaxItems: aws.Int32(4), Marker: marker}))
			got = append(got, mfaSerials(out.VirtualMFADevices)...)
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if len(got) != 11 || got[0] != bobs.serial || got[10] != free.serial {
			t.Fatalf("pages = %v", got)
		}
	})
}

// TestMFAAuthorization checks the resources the Service Authorization
// Reference names (mfa for the device operations, user for enabling,
// resyncing, deactivating and listing), the tag condition keys, and
// AWS's self-service MFA policy.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage-mfa-only.html
func TestMFAAuthorization(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	a := h.admin()
	dana, _ := h.newUserWithKey("dana")
	must[*awsiam.CreateUserOutput](t)(a.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("erin")}))
	free := newMFADevice(t, a, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("free")})

	denied := func(action, resource string) string {
		return "User: arn:aws:iam::" + testAccount + ":user/dana is not authorized to perform: iam:" + action + " on resource: " + resource + " because no identity-based policy allows the iam:" + action + " action"
	}
	userARN := "arn:aws:iam::" + testAccount + ":user/"
	for _, tc := range []struct {
		action, resource string
		call             func() error
	}{
		{"CreateVirtualMFADevice", mfaARN + "x/dana", func() error {
			_, err := dana.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("dana"), Path: aws.String("/x/")})
			return err
		}},
		{"EnableMFADevice", userARN + "dana", func() error { return free.enable(dana, "dana", 0) }},
		{"EnableMFADevice", userARN + "nobody", func() error { return free.enable(dana, "nobody", 0) }},
		{"ResyncMFADevice", userARN + "erin", func() error { return free.resync(dana, "erin", 0) }},
		{"DeactivateMFADevice", userARN + "dana", func() error {
			_, err := dana.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{SerialNumber: aws.String(free.serial)})
			return err
		}},
		{"DeleteVirtualMFADevice", free.serial, func() error {
			_, err := dana.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(free.serial)})
			return err
		}},
		{"DeleteVirtualMFADevice", mfaARN + "ghost", func() error {
			_, err := dana.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(mfaARN + "ghost")})
			return err
		}},
		{"ListMFADevices", userARN + "dana", func() error {
			_, err := dana.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{})
			return err
		}},
		{"ListVirtualMFADevices", mfaARN, func() error {
			_, err := dana.ListVirtualMFADevices(ctx, &awsiam.ListVirtualMFADevicesInput{})
			return err
		}},
		{"GetMFADevice", userARN + "erin", func() error {
			_, err := dana.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("erin"), SerialNumber: aws.String(free.serial)})
			return err
		}},
		{"TagMFADevice", free.serial, func() error {
			_, err := dana.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: aws.String(free.serial), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}},
		{"UntagMFADevice", free.serial, func() error {
			_, err := dana.UntagMFADevice(ctx, &awsiam.UntagMFADeviceInput{SerialNumber: aws.String(free.serial), TagKeys: []string{"k"}})
			return err
		}},
		{"ListMFADeviceTags", free.serial, func() error {
			_, err := dana.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(free.serial)})
			return err
		}},
	} {
		t.Run(tc.action+" "+tc.resource, func(t *testing.T) {
			wantError(t, tc.call(), "AccessDenied", denied(tc.action, tc.resource))
		})
	}

	// AWS's example policy: users manage their own virtual MFA device
	// (named after them) and nothing else.
	selfService := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice"],"Resource":"arn:aws:iam::*:mfa/${aws:username}"},
		{"Effect":"Allow","Action":["iam:DeactivateMFADevice","iam:EnableMFADevice","iam:ListMFADevices","iam:ResyncMFADevice"],"Resource":"arn:aws:iam::*:user/${aws:username}"},
		{"Effect":"Allow","Action":"iam:ListVirtualMFADevices","Resource":"*"}]}`
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dana"), PolicyName: aws.String("mfa"), PolicyDocument: aws.String(selfService)}))
	own := newMFADevice(t, dana, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("dana")})
	_, err := dana.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("erin")})
	wantError(t, err, "AccessDenied", denied("CreateVirtualMFADevice", mfaARN+"erin"))
	wantError(t, own.enable(dana, "erin", 0), "AccessDenied", denied("EnableMFADevice", userARN+"erin"))
	must[*awsiam.EnableMFADeviceOutput](t)(nil, own.enable(dana, "dana", 0))
	// Without a user name, ListMFADevices and DeactivateMFADevice act on
	// the caller.
	mine := must[*awsiam.ListMFADevicesOutput](t)(dana.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{}))
	if len(mine.MFADevices) != 1 || *mine.MFADevices[0].SerialNumber != own.serial || *mine.MFADevices[0].UserName != "dana" {
		t.Fatalf("ListMFADevices = %+v", mine.MFADevices)
	}
	if got := listVirtualMFA(t, dana, types.AssignmentStatusTypeAssigned); len(got) != 1 || *got[0].User.UserName != "dana" {
		t.Fatalf("assigned devices = %+v", got)
	}
	must[*awsiam.ResyncMFADeviceOutput](t)(nil, own.resync(dana, "dana", 2))
	must[*awsiam.DeactivateMFADeviceOutput](t)(dana.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{SerialNumber: aws.String(own.serial)}))
	must[*awsiam.DeleteVirtualMFADeviceOutput](t)(dana.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(own.serial)}))

	// Tags: aws:RequestTag and aws:TagKeys on create and tag,
	// aws:ResourceTag on the device.
	tagPolicy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:TagMFADevice"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
		{"Effect":"Allow","Action":"iam:ListMFADeviceTags","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}`
	must[*awsiam.PutUserPolicyOutput](t)(a.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dana"), PolicyName: aws.String("mfa"), PolicyDocument: aws.String(tagPolicy)}))
	blue := []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
	tagged := newMFADevice(t, dana, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("blue"), Tags: blue})
	_, err = dana.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("red"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
	wantError(t, err, "AccessDenied", denied("CreateVirtualMFADevice", mfaARN+"red"))
	_, err = dana.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("untagged")})
	wantCode(t, err, "AccessDenied")
	_, err = dana.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: aws.String(tagged.serial), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}, {Key: aws.String("cost"), Value: aws.String("1")}}})
	wantError(t, err, "AccessDenied", denied("TagMFADevice", tagged.serial))
	must[*awsiam.ListMFADeviceTagsOutput](t)(dana.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(tagged.serial)}))
	_, err = dana.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(free.serial)})
	wantError(t, err, "AccessDenied", denied("ListMFADeviceTags", free.serial))
}

// TestMFAPersistence checks that devices, their sealed secrets and their
// assignment survive a restart.
func TestMFAPersistence(t *testing.T) {
	h := start(t, false)
	ctx := context.Background()
	must[*awsiam.CreateUserOutput](t)(h.admin().CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("frank")}))
	d := newMFADevice(t, h.admin(), &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("frank"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	spare := newMFADevice(t, h.admin(), &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare")})
	must[*awsiam.EnableMFADeviceOutput](t)(nil, d.enable(h.admin(), "frank", 0))

	h.restart()
	a := h.admin()
	list := must[*awsiam.ListMFADevicesOutput](t)(a.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("frank")}))
	if len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != d.serial {
		t.Fatalf("ListMFADevices after restart = %+v", list.MFADevices)
	}
	if got := listVirtualMFA(t, a, types.AssignmentStatusTypeAssigned); len(got) != 1 || *got[0].User.UserName != "frank" {
		t.Fatalf("assigned devices after restart = %+v", got)
	}
	// The secrets were sealed and open again: the seeds still check, and
	// the steps used before the restart stay used.
	wantCode(t, d.resync(a, "frank", 0), "InvalidAuthenticationCode")
	must[*awsiam.ResyncMFADeviceOutput](t)(nil, d.resync(a, "frank", 2))
	must[*awsiam.EnableMFADeviceOutput](t)(nil, spare.enable(a, "frank", 0))
	tags := must[*awsiam.ListMFADeviceTagsOutput](t)(a.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(d.serial)}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "a" {
		t.Fatalf("tags after restart = %+v", tags.Tags)
	}
	_, err := a.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("frank")})
	wantError(t, err, "DeleteConflict", "Cannot delete entity, must delete MFA device first.")
}

// TestMFAQRCode checks that QRCodePNG is a real QR code: a black and
// white PNG with square modules, the quiet zone of four modules and the
// three finder patterns. With zbarimg installed, it also decodes it to
// the otpauth URI AWS's QR codes carry.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_VirtualMFADevice.html
func TestMFAQRCode(t *testing.T) {
	h := start(t, false)
	d := newMFADevice(t, h.admin(), &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("qr-test"), Path: aws.String("/p/")})
	img, err := png.Decode(bytes.NewReader(d.out.QRCodePNG))
	if err != nil {
		t.Fatalf("QRCodePNG is no PNG: %v", err)
	}
	mfaCheckQR(t, img)

	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (Debian: zbar-tools)")
	}
	file := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(file, d.out.QRCodePNG, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", file).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	want := "otpauth://totp/Amazon%20Web%20Services:qr-test@" + testAccount + "?secret=" + string(d.out.Base32StringSeed) + "&issuer=Amazon%20Web%20Services"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Fatalf("QR code = %q\nwant      %q", got, want)
	}
}

// mfaCheckQR checks the structure of a QR code image.
func mfaCheckQR(t *testing.T, img image.Image) {
	t.Helper()
	b := img.Bounds()
	w, ht := b.Dx(), b.Dy()
	if w != ht || w < 21 {
		t.Fatalf("image %dx%d, want a square", w, ht)
	}
	dark := func(x, y int) bool {
		c := color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray)
		switch c.Y {
		case 0:
			return true
		case 255:
			return false
		}
		t.Fatalf("pixel (%d,%d) is gray %d, not black or white", x, y, c.Y)
		return false
	}
	for y := range ht {
		for x := range w {
			dark(x, y)
		}
	}
	// The top-left finder pattern starts after the quiet zone; its top
	// edge is seven modules of black.
	q := 0
	for q < w && !dark(q, q) {
		q++
	}
	run := 0
	for q+run < w && dark(q+run, q) {
		run++
	}
	if q == 0 || run%7 != 0 {
		t.Fatalf("quiet zone %d px, finder edge %d px", q, run)
	}
	m := run / 7
	if q != 4*m {
		t.Fatalf("quiet zone %d px, want four modules of %d px", q, m)
	}
	if w%m != 0 {
		t.Fatalf("width %d px is not whole modules of %d px", w, m)
	}
	n := w/m - 8 // modules of the symbol
	if n < 21 || (n-17)%4 != 0 {
		t.Fatalf("symbol of %d modules is no QR version", n)
	}
	module := func(x, y int) bool { return dark((4+x)*m+m/2, (4+y)*m+m/2) }
	// The quiet zone is white all round.
	for i := range w {
		for j := range q {
			if dark(i, j) || dark(j, i) || dark(i, w-1-j) || dark(w-1-j, i) {
				t.Fatalf("dark pixel in the quiet zone near (%d,%d)", i, j)
			}
		}
	}
	// Finder patterns: a 7x7 black ring, a white ring, a 3x3 black core,
	// and a white separator, at three corners.
	finder := func(x0, y0 int) {
		for y := range 7 {
			for x := range 7 {
				ring := x == 0 || y == 0 || x == 6 || y == 6
				core := x >= 2 && x <= 4 && y >= 2 && y <= 4
				if module(x0+x, y0+y) != (ring || core) {
					t.Fatalf("finder pattern at (%d,%d) is wrong at module (%d,%d)", x0, y0, x, y)
				}
			}
		}
	}
	finder(0, 0)
	finder(n-7, 0)
	finder(0, n-7)
	// Timing patterns between the finders alternate.
	for i := 8; i < n-8; i++ {
		if module(i, 6) != (i%2 == 0) || module(6, i) != (i%2 == 0) {
			t.Fatalf("timing pattern is wrong at module %d", i)
		}
	}
}
