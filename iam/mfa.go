package iam

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"github.com/gatehouse/gatehouse/authn"
	"net/url"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/internal/totp"
)

// Quotas of MFA devices.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const (
	// maxMFAPerUser is the quota of MFA devices in use per user.
	maxMFAPerUser = 8
	// maxVirtualMFA is the quota of virtual MFA devices (assigned or
	// not) in an account: equal to the user quota.
	maxVirtualMFA = maxUsers
)

const (
	// mfaSeedBytes is the length of a virtual device's secret: AWS's
	// Base32StringSeed has 64 base32 characters, 40 bytes.
	mfaSeedBytes = 40
	// mfaWindow is how many 30-second steps the codes given to
	// EnableMFADevice and ResyncMFADevice may be away from the request
	// time. AWS documents that codes sent late still enable the device
	// (which is then out of sync), so the window is minutes, not seconds.
	mfaWindow = 10
	// mfaIssuer is the issuer AWS names in the otpauth URI of its QR
	// codes.
	mfaIssuer = "Amazon Web Services"
)

// errNoSuchMFA and the EntityAlreadyExists of CreateVirtualMFADevice
// are AWS's words as recorded (DeleteVirtualMFADevice and
// DeactivateMFADevice of a device that does not exist, a second device
// of the same name):
// https://github.com/localstack/localstack/blob/main/tests/aws/services/iam/test_iam_mfa.snapshot.json
func errNoSuchMFA(serial string) error {
	return iamapi.NoSuchEntity("MFA Device with serial number %s does not exist.", serial)
}

func errMFAInvalidForUser() error { return iamapi.NoSuchEntity("MFA Device invalid for user.") }

func errMFACode() error {
	return iamapi.InvalidAuthenticationCode("Authentication code for device is not valid.")
}

// mfaSerial is the canonical serial number (ARN) of a virtual MFA device.
func (t *txn) mfaSerial(path, name string) string {
	return iamapi.MFAARN(canonicalPartition, t.acct, path, name)
}

// mfaResource is the ARN to authorize an action on the device with the
// given serial number: the serial itself, or for a serial that is not
// an ARN (a hardware device) the mfa resource of that name.
func (t *txn) mfaResource(given string) string {
	if strings.HasPrefix(given, "arn:") {
		return given
	}
	return iamapi.MFAARN(t.req.Partition, t.req.Account, "/", given)
}

// lookupMFA finds the virtual MFA device with a serial number as given.
func (t *txn) lookupMFA(given string) (*virtualMFA, bool) {
	return get[*virtualMFA](t, kindMFA, t.in(given))
}

// requireMFA authorizes action on a virtual MFA device and returns it.
func (t *txn) requireMFA(action iamapi.Action, given string, keys map[string][]string) (*virtualMFA, error) {
	m, ok := t.lookupMFA(given)
	if ok {
		keys = resourceTagContext(m.Tags, keys)
	}
	if err := t.authorize(action, t.mfaResource(given), keys); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSuchMFA(given)
	}
	return m, nil
}

// userMFA returns u's device with the given serial number, or the
// error AWS gives when it is not one of them.
func (t *txn) userMFA(u *user, given string) (*mfaDevice, error) {
	if d, ok := cred[*mfaDevice](t, kindMFAEnabled, ownerPrefix(u.key())+t.in(given), u); ok {
		return d, nil
	}
	if _, ok := t.lookupMFA(given); ok {
		return nil, errMFAInvalidForUser()
	}
	return nil, errNoSuchMFA(given)
}

// accountName is the account in the label of an otpauth URI: the
// account alias, or the account ID when there is none.
func (t *txn) accountName() string {
	if s, ok := get[*settings](t, kindSettings, "account"); ok && len(s.Aliases) > 0 {
		return s.Aliases[0]
	}
	return t.acct
}

// otpauthURI is the key URI an authenticator app reads from the QR code,
// in the form AWS's QR codes have:
// otpauth://totp/Amazon%20Web%20Services:<device>@<alias or account>?secret=<base32>&issuer=Amazon%20Web%20Services
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_VirtualMFADevice.html
func otpauthURI(device, account, secret string) string {
	issuer := url.PathEscape(mfaIssuer)
	return "otpauth://totp/" + issuer + ":" + url.PathEscape(device) + "@" + url.PathEscape(account) +
		"?secret=" + secret + "&issuer=" + issuer
}

// qrPNG renders content as a QR code PNG: black modules on white, four
// modules of quiet zone, six pixels a module.
func qrPNG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return q.PNG(-6)
}

// CreateVirtualMFADevice creates an unassigned virtual MFA device and
// returns its secret, once, as a base32 string and as a QR code.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html
func (svc *Service) CreateVirtualMFADevice(ctx context.Context, r *authn.Request, in *iamapi.CreateVirtualMFADeviceInput) (*iamapi.CreateVirtualMFADeviceOutput, error) {
	var out *iamapi.CreateVirtualMFADeviceOutput
	err := svc.update(ctx, r, func(t *txn) error {
		path := defaultPath(in.Path)
		serial := t.mfaSerial(path, in.VirtualMFADeviceName)
		if err := t.authorize(iamapi.ActionCreateVirtualMFADevice, t.out(serial), tagContext(in.Tags, nil)); err != nil {
			return err
		}
		// Path and name are unique regardless of case.
		if find(t, kindMFA, func(m *virtualMFA) bool { return strings.EqualFold(m.Serial, serial) }) != nil {
			return iamapi.EntityAlreadyExists("MFA device already exists.")
		}
		if t.full(kindMFA, maxVirtualMFA) {
			return quotaExceeded("MFADevices", maxVirtualMFA)
		}
		tags, err := newTags(in.Tags)
		if err != nil {
			return err
		}
		seed := make([]byte, mfaSeedBytes)
		rand.Read(seed)
		sealed, err := t.svc.keyring.Seal(seed, []byte(serial))
		if err != nil {
			return err
		}
		b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(seed)
		png, err := qrPNG(otpauthURI(in.VirtualMFADeviceName, t.accountName(), b32))
		if err != nil {
			return err
		}
		t.put(&virtualMFA{Serial: serial, Seed: sealed, Tags: tags})
		out = &iamapi.CreateVirtualMFADeviceOutput{VirtualMFADevice: &iamapi.VirtualMFADevice{
			SerialNumber:     t.out(serial),
			Base32StringSeed: []byte(b32),
			QRCodePNG:        png,
			Tags:             apiTags(tags),
		}}
		return nil
	})
	return out, err
}

// checkCodes checks two consecutive codes of a device against its seed
// and returns the step of the second.
func (t *txn) checkCodes(m *virtualMFA, code1, code2 string, lastStep int64) (int64, error) {
	seed, err := t.svc.keyring.Open(m.Seed, []byte(m.Serial))
	if err != nil {
		return 0, err
	}
	now := t.req.Time
	if now.IsZero() {
		now = t.svc.now()
	}
	step, ok := totp.Consecutive(seed, code1, code2, now, mfaWindow, max(lastStep, m.LastStep))
	if !ok {
		return 0, errMFACode()
	}
	return step, nil
}

// EnableMFADevice assigns a virtual MFA device to a user once two
// consecutive codes from it prove the user holds its secret.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html
func (svc *Service) EnableMFADevice(ctx context.Context, r *authn.Request, in *iamapi.EnableMFADeviceInput) (*iamapi.EnableMFADeviceOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		u, err := t.requireUser(iamapi.ActionEnableMFADevice, in.UserName, nil)
		if err != nil {
			return err
		}
		m, ok := t.lookupMFA(in.SerialNumber)
		if !ok {
			return errNoSuchMFA(in.SerialNumber)
		}
		if m.UserID != "" {
			return iamapi.EntityAlreadyExists("MFA Device is already in use.")
		}
		if t.fullUnder(kindMFAEnabled, ownerPrefix(u.key()), maxMFAPerUser) {
			return quotaExceeded("MFADevicesPerUser", maxMFAPerUser)
		}
		step, err := t.checkCodes(m, in.AuthenticationCode1, in.AuthenticationCode2, 0)
		if err != nil {
			return err
		}
		now := t.svc.now()
		nm := *m
		nm.UserID, nm.Enabled, nm.LastStep = u.ID, now, step
		t.put(&nm)
		t.put(&mfaDevice{owner: ownerOf(u), Serial: m.Serial, Enabled: now, LastStep: step, Order: nextOrder(creds[*mfaDevice](t, kindMFAEnabled, u))})
		return nil
	})
	return &iamapi.EnableMFADeviceOutput{}, err
}

// ResyncMFADevice checks two consecutive codes of a user's device and
// records the step they reached.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResyncMFADevice.html
func (svc *Service) ResyncMFADevice(ctx context.Context, r *authn.Request, in *iamapi.ResyncMFADeviceInput) (*iamapi.ResyncMFADeviceOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		u, err := t.requireUser(iamapi.ActionResyncMFADevice, in.UserName, nil)
		if err != nil {
			return err
		}
		d, err := t.userMFA(u, in.SerialNumber)
		if err != nil {
			return err
		}
		m, ok := get[*virtualMFA](t, kindMFA, d.Serial)
		if !ok {
			return errNoSuchMFA(in.SerialNumber)
		}
		step, err := t.checkCodes(m, in.AuthenticationCode1, in.AuthenticationCode2, d.LastStep)
		if err != nil {
			return err
		}
		nm := *m
		nm.LastStep = step
		nd := *d
		nd.LastStep = step
		t.put(&nm)
		t.put(&nd)
		return nil
	})
	return &iamapi.ResyncMFADeviceOutput{}, err
}

// findUserMFA authorizes action on the named user (by default the
// caller) and returns it with its device of the serial number.
func (t *txn) findUserMFA(action iamapi.Action, userName, serial string) (*user, *mfaDevice, error) {
	name := t.targetUser(userName)
	if name == "" {
		// The root user: Gatehouse assigns it no MFA devices.
		if err := t.authorize(action, t.req.ARN, nil); err != nil {
			return nil, nil, err
		}
		return nil, nil, errNoSuchMFA(serial)
	}
	u, err := t.requireUser(action, name, nil)
	if err != nil {
		return nil, nil, err
	}
	d, err := t.userMFA(u, serial)
	if err != nil {
		return nil, nil, err
	}
	return u, d, nil
}

// DeactivateMFADevice removes a device from its user; a virtual device
// remains, unassigned.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeactivateMFADevice.html
func (svc *Service) DeactivateMFADevice(ctx context.Context, r *authn.Request, in *iamapi.DeactivateMFADeviceInput) (*iamapi.DeactivateMFADeviceOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		_, d, err := t.findUserMFA(iamapi.ActionDeactivateMFADevice, in.UserName, in.SerialNumber)
		if err != nil {
			return err
		}
		t.del(kindMFAEnabled, d.key())
		if m, ok := get[*virtualMFA](t, kindMFA, d.Serial); ok {
			nm := *m
			nm.UserID, nm.Enabled, nm.LastStep = "", time.Time{}, max(m.LastStep, d.LastStep)
			t.put(&nm)
		}
		return nil
	})
	return &iamapi.DeactivateMFADeviceOutput{}, err
}

// DeleteVirtualMFADevice deletes an unassigned virtual MFA device.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteVirtualMFADevice.html
func (svc *Service) DeleteVirtualMFADevice(ctx context.Context, r *authn.Request, in *iamapi.DeleteVirtualMFADeviceInput) (*iamapi.DeleteVirtualMFADeviceOutput, error) {
	err := svc.update(ctx, r, func(t *txn) error {
		m, err := t.requireMFA(iamapi.ActionDeleteVirtualMFADevice, in.SerialNumber, nil)
		if err != nil {
			return err
		}
		if m.UserID != "" {
			return iamapi.DeleteConflict("MFA VirtualDevice in use. Must deactivate first.")
		}
		t.del(kindMFA, m.key())
		return nil
	})
	return &iamapi.DeleteVirtualMFADeviceOutput{}, err
}

// ListMFADevices lists a user's MFA devices (by default the caller's),
// in the order they were enabled.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListMFADevices.html
func (svc *Service) ListMFADevices(ctx context.Context, r *authn.Request, in *iamapi.ListMFADevicesInput) (*iamapi.ListMFADevicesOutput, error) {
	var out *iamapi.ListMFADevicesOutput
	err := svc.view(r, func(t *txn) error {
		name := t.targetUser(in.UserName)
		if name == "" {
			if err := t.authorize(iamapi.ActionListMFADevices, r.ARN, nil); err != nil {
				return err
			}
			out = &iamapi.ListMFADevicesOutput{MFADevices: []iamapi.MFADevice{}, IsTruncated: boolPtr(false)}
			return nil
		}
		u, err := t.requireUser(iamapi.ActionListMFADevices, name, nil)
		if err != nil {
			return err
		}
		page, marker, truncated, err := paginateInOrder("ListMFADevices", inOrder(creds[*mfaDevice](t, kindMFAEnabled, u)), in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out = &iamapi.ListMFADevicesOutput{MFADevices: make([]iamapi.MFADevice, len(page)), Marker: marker, IsTruncated: boolPtr(truncated)}
		for i, d := range page {
			out.MFADevices[i] = iamapi.MFADevice{UserName: u.Name, SerialNumber: t.out(d.Serial), EnableDate: d.Enabled}
		}
		return nil
	})
	return out, err
}

// ListVirtualMFADevices lists the account's virtual MFA devices by
// assignment status (default Any), with the user of assigned ones.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListVirtualMFADevices.html
func (svc *Service) ListVirtualMFADevices(ctx context.Context, r *authn.Request, in *iamapi.ListVirtualMFADevicesInput) (*iamapi.ListVirtualMFADevicesOutput, error) {
	var out *iamapi.ListVirtualMFADevicesOutput
	err := svc.view(r, func(t *txn) error {
		if err := t.authorize(iamapi.ActionListVirtualMFADevices, iamapi.MFAARN(t.req.Partition, t.req.Account, "/", ""), nil); err != nil {
			return err
		}
		// The assignment status is checked on each device walked: when
		// few devices have the one asked for, a page walks many.
		p, err := listPage(t, "ListVirtualMFADevices", kindMFA, in.Marker, in.MaxItems, "", func(m *virtualMFA) bool {
			switch in.AssignmentStatus {
			case iamapi.AssignmentStatusTypeAssigned:
				return m.UserID != ""
			case iamapi.AssignmentStatusTypeUnassigned:
				return m.UserID == ""
			}
			return true
		})
		if err != nil {
			return err
		}
		out = &iamapi.ListVirtualMFADevicesOutput{VirtualMFADevices: make([]iamapi.VirtualMFADevice, len(p.items)), Marker: p.marker(), IsTruncated: boolPtr(p.more)}
		for i, m := range p.items {
			d := iamapi.VirtualMFADevice{SerialNumber: t.out(m.Serial)}
			if m.UserID != "" {
				if u := byID[*user](t, kindUser, m.UserID); u != nil {
					au := t.apiUser(u)
					au.Tags, au.PermissionsBoundary = nil, nil // listings leave them out
					d.User, d.EnableDate = au, m.Enabled
				}
			}
			out.VirtualMFADevices[i] = d
		}
		return nil
	})
	return out, err
}

// GetMFADevice returns one of a user's MFA devices (by default the
// caller's). Virtual devices have no certifications.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetMFADevice.html
func (svc *Service) GetMFADevice(ctx context.Context, r *authn.Request, in *iamapi.GetMFADeviceInput) (*iamapi.GetMFADeviceOutput, error) {
	var out *iamapi.GetMFADeviceOutput
	err := svc.view(r, func(t *txn) error {
		u, d, err := t.findUserMFA(iamapi.ActionGetMFADevice, in.UserName, in.SerialNumber)
		if err != nil {
			return err
		}
		out = &iamapi.GetMFADeviceOutput{UserName: u.Name, SerialNumber: t.out(d.Serial), EnableDate: d.Enabled}
		return nil
	})
	return out, err
}

// TagMFADevice adds or replaces tags of a virtual MFA device.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagMFADevice.html
func (svc *Service) TagMFADevice(ctx context.Context, r *authn.Request, in *iamapi.TagMFADeviceInput) (*iamapi.TagMFADeviceOutput, error) {
	return &iamapi.TagMFADeviceOutput{}, tagEntity(ctx, r, svc, (*txn).requireMFA, iamapi.ActionTagMFADevice, in.SerialNumber, in.Tags)
}

// UntagMFADevice removes tags from a virtual MFA device.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UntagMFADevice.html
func (svc *Service) UntagMFADevice(ctx context.Context, r *authn.Request, in *iamapi.UntagMFADeviceInput) (*iamapi.UntagMFADeviceOutput, error) {
	return &iamapi.UntagMFADeviceOutput{}, untagEntity(ctx, r, svc, (*txn).requireMFA, iamapi.ActionUntagMFADevice, in.SerialNumber, in.TagKeys)
}

// ListMFADeviceTags lists a virtual MFA device's tags.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListMFADeviceTags.html
func (svc *Service) ListMFADeviceTags(ctx context.Context, r *authn.Request, in *iamapi.ListMFADeviceTagsInput) (*iamapi.ListMFADeviceTagsOutput, error) {
	return listEntityTags(ctx, r, svc, (*txn).requireMFA, iamapi.ActionListMFADeviceTags, in.SerialNumber, in.Marker, in.MaxItems, func(tags []iamapi.Tag, marker string, truncated bool) *iamapi.ListMFADeviceTagsOutput {
		return &iamapi.ListMFADeviceTagsOutput{Tags: tags, Marker: marker, IsTruncated: boolPtr(truncated)}
	})
}
