// Command gatehouse is self-hosted AWS IAM: the policy engine's CLI today,
// the IAM and STS endpoint next.
package main

import (
	"os"

	"github.com/gatehouse/gatehouse/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
