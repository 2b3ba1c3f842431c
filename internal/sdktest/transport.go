package sdktest

import (
	"bytes"
	"io"
	"net/http"
)

// HTTPClient returns an HTTP client for aws-sdk-go-v2 that sends its own
// copy of each request body.
//
// smithy-go closes the body it built as soon as the response headers
// arrive, and its closed body answers WriteTo with io.EOF. On loopback
// net/http may still be checking that body for extra bytes then; it
// takes the EOF for a write error and closes the connection under the
// response being read ("use of closed network connection" on responses
// larger than one read buffer). A body of its own is never closed early.
func HTTPClient() *http.Client {
	return &http.Client{Transport: ownBody{}}
}

type ownBody struct{}

func (ownBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return http.DefaultTransport.RoundTrip(r)
}
