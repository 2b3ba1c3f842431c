// Package awsapi is the runtime of the generated AWS Query protocol
// packages (awsapi/iamapi, awsapi/stsapi): the error types and envelope,
// the XML writer, and the form decoder that records model-constraint
// failures in AWS's ValidationError words.
// https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
package awsapi
