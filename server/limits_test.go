package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/server"
)

// cutOff bounds how long a test waits for the server to give up on a
// slow client. The configured timeouts are a fraction of it; the
// defaults (10 s and more) are far above it.
const cutOff = 5 * time.Second

// dialFrom opens a TCP connection to the harness from the loopback
// address local (127.0.0.1, 127.0.0.2, ...: distinct clients).
func (h *harness) dialFrom(local string) net.Conn {
	h.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	c, err := d.Dial("tcp", h.http.Listener.Addr().String())
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

// signedRequest is a signed POST of form by the admin, as bytes on the wire.
func (h *harness) signedRequest(form string) []byte {
	h.t.Helper()
	var b strings.Builder
	if err := h.signedPOST(form, h.adminSigning()).Write(&b); err != nil {
		h.t.Fatal(err)
	}
	return []byte(b.String())
}

// readResponse reads one response from c, failing after cutOff.
func readResponse(t *testing.T, c net.Conn, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(cutOff))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// wantClosed checks that the server closes c (within cutOff) without
// sending anything more.
func wantClosed(t *testing.T, c net.Conn, br *bufio.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(cutOff))
	b, err := br.ReadByte()
	if err == nil {
		t.Fatalf("connection still open, read %q", b)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection not closed within %v", cutOff)
	}
}

// TestSlowClientsCutOff: with the http.Server that HTTPServer returns, a
// request whose body does not arrive within ReadTimeout is answered
// RequestTimeoutException (AWS's common error for a request read that
// timed out, 408) and its connection closed; headers that do not arrive
// within ReadHeaderTimeout, and a keep-alive connection idle for
// IdleTimeout, are closed; a client that sends its request at once is
// served as usual.
// https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html
func TestSlowClientsCutOff(t *testing.T) {
	const timeout = 200 * time.Millisecond
	h := startWith(t, false, func(c *server.Config) {
		c.ReadHeaderTimeout, c.ReadTimeout, c.IdleTimeout = timeout, timeout, timeout
	})

	t.Run("slow body", func(t *testing.T) {
		c := h.dialFrom("127.0.0.1")
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: gatehouse\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=Get")
		br := bufio.NewReader(c)
		start := time.Now()
		resp, body := readResponse(t, c, br)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(body, "<Code>RequestTimeoutException</Code>") || !strings.Contains(body, "<Message>Reading the request timed out.</Message>") {
			t.Fatalf("slow body: %d %s", resp.StatusCode, body)
		}
		if d := time.Since(start); d < timeout/2 {
			t.Fatalf("answered after %v, before the read timeout", d)
		}
		wantClosed(t, c, br)
	})

	t.Run("slow headers", func(t *testing.T) {
		c := h.dialFrom("127.0.0.1")
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: gatehouse\r\n")
		wantClosed(t, c, bufio.NewReader(c))
	})

	t.Run("idle keep-alive connection", func(t *testing.T) {
		c := h.dialFrom("127.0.0.1")
		c.Write(h.signedRequest("Action=GetUser&Version=2010-05-08"))
		br := bufio.NewReader(c)
		if resp, body := readResponse(t, c, br); resp.StatusCode != 200 {
			t.Fatalf("GetUser: %d %s", resp.StatusCode, body)
		}
		wantClosed(t, c, br)
	})

	t.Run("normal client", func(t *testing.T) {
		for range 3 {
			must[any](t)(h.admin().ListUsers(context.Background(), nil))
		}
	})
}

// TestClientCap: a client (source address) with MaxClientRequests
// requests in flight — here slow bodies — is answered Throttling, "Rate
// exceeded", 400, as IAM answers a caller over its rate (recorded in
// https://github.com/nccgroup/Scout2/issues/17), and the connection
// closed; another client is served meanwhile, and the first is served
// again once its requests end.
func TestClientCap(t *testing.T) {
	h := startWith(t, false, func(c *server.Config) {
		c.MaxClientRequests = 2
		c.ReadTimeout = time.Minute // the slow requests stay in flight
	})
	var slow []net.Conn
	for range 2 {
		c := h.dialFrom("127.0.0.1")
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: gatehouse\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=Get")
		slow = append(slow, c)
	}
	getUser := h.signedRequest("Action=GetUser&Version=2010-05-08")
	// send sends GetUser from local on a new connection.
	send := func(local string) (*http.Response, string, net.Conn, *bufio.Reader) {
		c := h.dialFrom(local)
		c.Write(getUser)
		br := bufio.NewReader(c)
		resp, body := readResponse(t, c, br)
		return resp, body, c, br
	}
	// The slow requests reach the handler a moment after their headers.
	deadline := time.Now().Add(cutOff)
	for {
		resp, body, c, br := send("127.0.0.1")
		if resp.StatusCode == http.StatusBadRequest {
			if !strings.Contains(body, "<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>") || !resp.Close {
				t.Fatalf("over the cap: %d %v %s", resp.StatusCode, resp.Header, body)
			}
			wantClosed(t, c, br)
			break
		}
		if resp.StatusCode != 200 || time.Now().After(deadline) {
			t.Fatalf("never throttled: %d %s", resp.StatusCode, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp, body, _, _ := send("127.0.0.2"); resp.StatusCode != 200 {
		t.Fatalf("another client: %d %s", resp.StatusCode, body)
	}
	for _, c := range slow {
		c.Close()
	}
	for {
		resp, body, _, _ := send("127.0.0.1")
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still refused after its requests ended: %d %s", resp.StatusCode, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClientConnCap: a client (source address) holding MaxClientConns
// connections open — here connections that never send their headers —
// has its next connection closed as it is accepted, while another client
// is served; once one of its connections closes, it is served again.
func TestClientConnCap(t *testing.T) {
	h := startWith(t, false, func(c *server.Config) {
		c.MaxClientConns = 3
		c.ReadHeaderTimeout = time.Minute // the silent connections stay open
	})
	var silent []net.Conn
	for range 3 {
		silent = append(silent, h.dialFrom("127.0.0.1"))
	}
	getUser := h.signedRequest("Action=GetUser&Version=2010-05-08")
	over := h.dialFrom("127.0.0.1")
	over.Write(getUser) // may fail once the server has closed it
	wantClosed(t, over, bufio.NewReader(over))

	other := h.dialFrom("127.0.0.2")
	other.Write(getUser)
	if resp, body := readResponse(t, other, bufio.NewReader(other)); resp.StatusCode != 200 {
		t.Fatalf("another client: %d %s", resp.StatusCode, body)
	}

	silent[0].Close()
	deadline := time.Now().Add(cutOff)
	for {
		c := h.dialFrom("127.0.0.1")
		c.Write(getUser)
		br := bufio.NewReader(c)
		c.SetReadDeadline(time.Now().Add(cutOff))
		if resp, err := http.ReadResponse(br, nil); err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("after a connection closed: %d", resp.StatusCode)
			}
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still refused after one of its connections closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
