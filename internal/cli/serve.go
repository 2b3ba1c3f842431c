package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/iam"
	"github.com/gatehouse/gatehouse/secret"
	"github.com/gatehouse/gatehouse/server"
	"github.com/gatehouse/gatehouse/store/sqlite"
)

// usageFlushInterval is how often access-key use is persisted (AWS
// itself reports last use with a delay of up to hours).
const usageFlushInterval = 10 * time.Second

// Files in the data directory.
const (
	dbFile          = "gatehouse.db"
	keyFile         = "master.key"   // the key-encryption key, "id:hex"
	accountFile     = "account"      // the bootstrapped account ID
	credentialsFile = "credentials"  // the first administrator's key, AWS format (account create: credentials-ID)
	configFile      = "config"       // region and endpoint, AWS format
	tlsCertFile     = "tls-cert.pem" // generated self-signed pair
	tlsKeyFile      = "tls-key.pem"
)

type serveFlags struct {
	addr, dataDir, account, rootPassword string
	tls                                  bool
	tlsCert, tlsKey                      string
	dev                                  bool
	logLevel                             string
	readTimeout                          time.Duration
	maxClientRequests, maxClientConns    int
}

// serve runs `gatehouse serve` until SIGINT or SIGTERM.
func serve(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("gatehouse serve [flags]", stdout, stderr)
	var f serveFlags
	fs.StringVar(&f.addr, "addr", "127.0.0.1:7700", "listen address")
	fs.StringVar(&f.dataDir, "data-dir", "gatehouse-data", "directory for the database, keys and generated credentials")
	fs.StringVar(&f.account, "account", "", "account ID to bootstrap on first start (default: random)")
	fs.StringVar(&f.rootPassword, "root-password", "", "root password on first start (default: $GATEHOUSE_ROOT_PASSWORD, else generated and printed once)")
	fs.BoolVar(&f.tls, "tls", false, "serve HTTPS with a generated self-signed certificate (unless --tls-cert/--tls-key)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fs.BoolVar(&f.dev, "dev", false, "moto-compatible test mode: unauthenticated calls act as root of 123456789012 (never in production)")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.DurationVar(&f.readTimeout, "read-timeout", 0, "time a client has to send a whole request, body included (default 30s; negative: none)")
	fs.IntVar(&f.maxClientRequests, "max-client-requests", 0, "requests one client IP (IPv6: /64) may have in flight; more are answered Throttling (default 32; negative: no cap)")
	fs.IntVar(&f.maxClientConns, "max-client-conns", 0, "connections one client IP (IPv6: /64) may hold open; more are closed as they are accepted (default 256; negative: no cap)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if f.rootPassword == "" {
		f.rootPassword = os.Getenv("GATEHOUSE_ROOT_PASSWORD")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		fmt.Fprintf(stderr, "gatehouse serve: bad --log-level %q\n", f.logLevel)
		return exitUsage
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runServer(ctx, f, stdout, logger); err != nil {
		logger.Error("serve", "err", err)
		return exitFailed
	}
	return exitOK
}

func runServer(ctx context.Context, f serveFlags, stdout io.Writer, logger *slog.Logger) error {
	if err := os.MkdirAll(f.dataDir, 0o700); err != nil {
		return err
	}
	svc, closeData, err := openData(ctx, f.dataDir, logger)
	if err != nil {
		return err
	}
	defer closeData()

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	scheme, caBundle := "http", ""
	if f.tls || f.tlsCert != "" {
		cert, bundle, err := loadOrCreateTLS(f)
		if err != nil {
			ln.Close()
			return err
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme, caBundle = "https", bundle
	}
	endpoint := scheme + "://" + dialAddr(ln.Addr())

	if f.dev {
		logger.Warn("DEV MODE: unauthenticated requests act as the root user of account " + server.DevAccount + "; never use this outside tests")
	} else if err := bootstrap(ctx, svc, f, endpoint, caBundle, stdout); err != nil {
		ln.Close()
		return err
	}

	srv := server.New(server.Config{IAM: svc, Logger: logger, Dev: f.dev, ReadTimeout: f.readTimeout, MaxClientRequests: f.maxClientRequests, MaxClientConns: f.maxClientConns})
	hs := srv.HTTPServer()
	logger.Info("serving", "endpoint", endpoint, "data_dir", f.dataDir)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	flush := time.NewTicker(usageFlushInterval)
	defer flush.Stop()
	defer func() {
		if err := svc.FlushUsage(context.Background()); err != nil {
			logger.Error("flushing access key use", "err", err)
		}
	}()
wait:
	for {
		select {
		case err := <-errc:
			return err
		case <-flush.C:
			if err := svc.FlushUsage(ctx); err != nil {
				logger.Error("flushing access key use", "err", err)
			}
		case <-ctx.Done():
			break wait
		}
	}
	logger.Info("shutting down")
	srv.SetReady(false)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// bootstrap sets the account up on first start and writes the first
// administrator's credentials and config files.
func bootstrap(ctx context.Context, svc *iam.Service, f serveFlags, endpoint, caBundle string, stdout io.Writer) error {
	acctPath := filepath.Join(f.dataDir, accountFile)
	data, err := os.ReadFile(acctPath)
	if err == nil {
		account := strings.TrimSpace(string(data))
		if svc.HasAccount(account) {
			return writeConfig(f.dataDir, endpoint, caBundle)
		}
		f.account = account
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if f.account == "" {
		f.account = randomAccount()
	}
	if err := writeFileAtomic(acctPath, []byte(f.account+"\n"), 0o600); err != nil {
		return err
	}
	password, printPassword := f.rootPassword, false
	if password == "" {
		password, printPassword = randomPassword(), true
	}
	res, err := svc.Bootstrap(ctx, iam.Bootstrap{Account: f.account, RootPassword: password})
	if err != nil {
		return err
	}
	creds := fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", res.AccessKeyID, res.SecretAccessKey)
	if err := writeFileAtomic(filepath.Join(f.dataDir, credentialsFile), []byte(creds), 0o600); err != nil {
		return err
	}
	if err := writeConfig(f.dataDir, endpoint, caBundle); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Bootstrapped account %s: root user (no access keys), group Admins with AdministratorAccess, user %s with an access key.\n", f.account, res.UserName)
	if printPassword {
		fmt.Fprintf(stdout, "Root password (shown once): %s\n", password)
	}
	abs, _ := filepath.Abs(f.dataDir)
	// AWS_CA_BUNDLE in the environment wins over the config's ca_bundle
	// (botocore and the SDKs read it first), so a shell that sets it for
	// a corporate proxy still failed with "self-signed certificate": the
	// line sets it too.
	bundleVar := ""
	if caBundle != "" {
		bundleVar = " AWS_CA_BUNDLE=" + caBundle
	}
	fmt.Fprintf(stdout, "export AWS_SHARED_CREDENTIALS_FILE=%s AWS_CONFIG_FILE=%s%s\n", filepath.Join(abs, credentialsFile), filepath.Join(abs, configFile), bundleVar)
	fmt.Fprintf(stdout, "aws iam get-user   # as %s\n", res.UserName)
	return nil
}

// writeConfig writes the AWS config file of the data directory: region,
// endpoint and, for a self-signed certificate, the ca_bundle that makes
// the aws CLI and the SDKs trust it.
func writeConfig(dir, endpoint, caBundle string) error {
	cfg := fmt.Sprintf("[default]\nregion = us-east-1\nendpoint_url = %s\n", endpoint)
	if caBundle != "" {
		cfg += "ca_bundle = " + caBundle + "\n"
	}
	return writeFileAtomic(filepath.Join(dir, configFile), []byte(cfg), 0o600)
}

// dialAddr is the address clients dial for a listener's address: an
// unspecified IP (0.0.0.0, ::) becomes the loopback address of its
// family, which the generated certificate names.
func dialAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return a.String()
	}
	ip := net.IPv4(127, 0, 0, 1)
	if ta.IP.To4() == nil {
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(ta.Port))
}

// loadKeyring reads the key-encryption key, creating it on first start.
func loadKeyring(path string) (*secret.Keyring, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k, err := secret.GenerateKey("k1")
		if err != nil {
			return nil, err
		}
		if err := writeFileAtomic(path, []byte(k.ID+":"+hex.EncodeToString(k.Raw())+"\n"), 0o600); err != nil {
			return nil, err
		}
		return secret.NewKeyring(k), nil
	}
	if err != nil {
		return nil, err
	}
	id, raw, ok := strings.Cut(strings.TrimSpace(string(data)), ":")
	b, herr := hex.DecodeString(raw)
	if !ok || herr != nil {
		return nil, fmt.Errorf("%s: malformed key file", path)
	}
	k, err := secret.NewKey(id, b)
	if err != nil {
		return nil, err
	}
	return secret.NewKeyring(k), nil
}

// loadOrCreateTLS returns the server's certificate and, when it is
// self-signed (generated, or given so), the absolute path of the PEM file
// clients must trust.
func loadOrCreateTLS(f serveFlags) (tls.Certificate, string, error) {
	if f.tlsCert != "" || f.tlsKey != "" {
		c, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return c, "", err
		}
		if !selfSigned(c) {
			return c, "", nil
		}
		abs, err := filepath.Abs(f.tlsCert)
		return c, abs, err
	}
	certPath, keyPath := filepath.Join(f.dataDir, tlsCertFile), filepath.Join(f.dataDir, tlsKeyFile)
	abs, err := filepath.Abs(certPath)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		return c, abs, nil
	}
	c, err := createTLS(certPath, keyPath)
	return c, abs, err
}

// selfSigned reports whether a certificate chain is one certificate that
// signed itself.
func selfSigned(c tls.Certificate) bool {
	if len(c.Certificate) != 1 || c.Leaf == nil {
		return false
	}
	return c.Leaf.CheckSignatureFrom(c.Leaf) == nil
}

// createTLS generates a self-signed pair for localhost and the loopback
// addresses and writes it to certPath and keyPath.
func createTLS(certPath, keyPath string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "gatehouse"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		IsCA:                  true,
		BasicConstraintsValid: true,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// writeFileAtomic writes data to path through a temporary file and a
// rename, so a crash leaves the old file or the new one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func randomAccount() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(9e11))
	return fmt.Sprintf("%012d", n.Int64()+1e11)
}

func randomPassword() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#%^*-_=+"
	b := make([]byte, 24)
	rand.Read(b)
	for i, c := range b {
		b[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(b)
}

// openData opens the IAM service on the store of data directory dir,
// with its key-encryption key; done closes both.
func openData(ctx context.Context, dir string, logger *slog.Logger) (svc *iam.Service, done func(), err error) {
	keyring, err := loadKeyring(filepath.Join(dir, keyFile))
	if err != nil {
		return nil, nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, dbFile), sqlite.Options{Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	svc, err = iam.New(ctx, iam.Config{Store: st, Keyring: keyring, Logger: logger})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, func() { svc.Close(); st.Close() }, nil
}
