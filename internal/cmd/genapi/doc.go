// Command genapi generates a Go package for an AWS Query protocol service
// (IAM, STS) from its botocore model (the copies in awsapi/models):
//
//   - zz_generated.go: the input, output and structure types, the
//     exception types with their codes and HTTP statuses, the form
//     decoder with the model's constraints checked in AWS's words, the
//     XML encoder, the operations (each with its Action) and the table of
//     operation handlers;
//   - zz_actions.go: what authorizing the operations needs, from the
//     Service Authorization Reference in package catalog (embedded, so no
//     file outside the repository is read): an Action constant per
//     operation ("iam:CreateUser") and for the few other actions an
//     operation authorizes (alsoAuthorized: iam:PassRole), the resource
//     types with their ARN formats and resource types per action, and an
//     ARN builder per resource type made from its format (UserARN, and
//     foreignResources' EC2InstanceARN).
//
// Generation fails if the reference does not list an operation's action
// with the operation's own spelling (noAction lists, with why, the
// operations it has none for), if an exception or extra action is stale
// or misspelt, or if an ARN format has a form genapi cannot build.
//
//	go run ./internal/cmd/genapi -model DIR -pkg NAME -out DIR
//
// With -served FILE, genapi writes instead zz_served.go in the
// service's package (-pkg): for each operation FILE lists, a compile-time
// assertion that the service type (-type) implements the operation's
// generated interface of package -api.
//
//	go run ./internal/cmd/genapi -model DIR -served served.txt -api IMPORTPATH -pkg iam -type Service -out DIR
package main
