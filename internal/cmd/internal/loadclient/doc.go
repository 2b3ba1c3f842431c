// Package loadclient is the client side of the load tools (loadgen,
// scale): signed IAM Query requests written as raw HTTP/1.1 bytes, sent
// on one keep-alive loopback connection per client, and the server's
// latency histograms and gauges read from /metrics. It costs the client
// little so that the server, which shares the machine, gets the cores.
package loadclient
