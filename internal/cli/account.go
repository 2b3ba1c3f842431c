package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/gatehouse/gatehouse/iam"
)

const accountUsage = `usage: gatehouse account <command> [arguments]

commands:
  create --account ID [--data-dir DIR] [--root-password P]
                      add an account to a data directory, also while
                      gatehouse serve runs on it

Every command takes --help.
`

func runAccount(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, accountUsage)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, accountUsage)
		return exitOK
	case "create":
		return accountCreate(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "gatehouse account: unknown command %q\n\n%s", args[0], accountUsage)
	return exitUsage
}

// errNotDataDir is returned for a directory that no gatehouse serve has
// set up (no key-encryption key or no database).
var errNotDataDir = errors.New("not a gatehouse data directory")

// accountCreate runs `gatehouse account create`: it bootstraps a new
// account in the data directory's store as serve's first start does its
// first (a root user with a password and no access keys, group Admins
// with AdministratorAccess, user admin in it with an access key), writes
// the administrator's key to DIR/credentials-ID and prints how to use
// it. The store takes many writers, so a server running on the directory
// follows the new account from its change log and accepts the key as
// soon as it has applied the commit (within its poll interval).
func accountCreate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("gatehouse account create --account ID [flags]", stdout, stderr)
	var dataDir, account, rootPassword string
	fs.StringVar(&dataDir, "data-dir", "gatehouse-data", "data directory of gatehouse serve (it may be running)")
	fs.StringVar(&account, "account", "", "12-digit ID of the account to create (required)")
	fs.StringVar(&rootPassword, "root-password", "", "root password (default: $GATEHOUSE_ROOT_PASSWORD, else generated and printed once)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gatehouse account create: unexpected argument %q\n", fs.Arg(0))
		fs.usage(stderr)
		return exitUsage
	}
	if !validAccountID(account) {
		if account == "" {
			fmt.Fprintln(stderr, "gatehouse account create: --account is required")
		} else {
			fmt.Fprintf(stderr, "gatehouse account create: --account %q is not an account ID (12 digits)\n", account)
		}
		fs.usage(stderr)
		return exitUsage
	}
	if rootPassword == "" {
		rootPassword = os.Getenv("GATEHOUSE_ROOT_PASSWORD")
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := createAccount(context.Background(), dataDir, account, rootPassword, stdout, logger); err != nil {
		switch {
		case errors.Is(err, iam.ErrAccountExists):
			fmt.Fprintf(stderr, "gatehouse account create: account %s exists already in %s\n", account, dataDir)
		case errors.Is(err, errNotDataDir):
			fmt.Fprintf(stderr, "gatehouse account create: %s: %v; start gatehouse serve --data-dir %s once first\n", dataDir, err, dataDir)
		default:
			fmt.Fprintf(stderr, "gatehouse account create: %v\n", err)
		}
		return exitFailed
	}
	return exitOK
}

func createAccount(ctx context.Context, dataDir, account, rootPassword string, stdout io.Writer, logger *slog.Logger) error {
	// The key and the database come from serve's first start: a key made
	// here would not be the one the server seals with.
	for _, name := range []string{keyFile, dbFile} {
		if _, err := os.Stat(filepath.Join(dataDir, name)); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w (no %s)", errNotDataDir, name)
		} else if err != nil {
			return err
		}
	}
	svc, closeData, err := openData(ctx, dataDir, logger)
	if err != nil {
		return err
	}
	defer closeData()
	password, printPassword := rootPassword, false
	if password == "" {
		password, printPassword = randomPassword(), true
	}
	res, err := svc.Bootstrap(ctx, iam.Bootstrap{Account: account, RootPassword: password})
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	credsPath := filepath.Join(abs, credentialsFile+"-"+account)
	creds := fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", res.AccessKeyID, res.SecretAccessKey)
	if err := writeFileAtomic(credsPath, []byte(creds), 0o600); err != nil {
		return fmt.Errorf("account %s is created, but its administrator's key could not be written: %w", account, err)
	}
	fmt.Fprintf(stdout, "Created account %s: root user (no access keys), group Admins with AdministratorAccess, user %s with an access key.\n", account, res.UserName)
	if printPassword {
		fmt.Fprintf(stdout, "Root password (shown once): %s\n", password)
	}
	// The config serve writes (region, endpoint, ca_bundle) serves every
	// account. As serve's line does, this one sets AWS_CA_BUNDLE to the
	// config's ca_bundle, since the environment's would win over it.
	export := "export AWS_SHARED_CREDENTIALS_FILE=" + credsPath
	if cfg, err := os.ReadFile(filepath.Join(abs, configFile)); err == nil {
		export += " AWS_CONFIG_FILE=" + filepath.Join(abs, configFile)
		for line := range strings.SplitSeq(string(cfg), "\n") {
			if bundle, ok := strings.CutPrefix(line, "ca_bundle = "); ok {
				export += " AWS_CA_BUNDLE=" + bundle
			}
		}
	}
	fmt.Fprintln(stdout, export)
	fmt.Fprintf(stdout, "aws iam get-user   # as %s of %s\n", res.UserName, account)
	return nil
}

// validAccountID reports whether s is an AWS account ID: 12 digits.
func validAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
