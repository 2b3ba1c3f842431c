// Package awsapi is the runtime of the generated AWS Query protocol
// packages (awsapi/iamapi, awsapi/stsapi): the error types and envelope
// and the codes of the common errors, the XML writer (whose output is
// well-formed XML 1.0 whatever it is given), the form decoder that
// records model-constraint failures in AWS's ValidationError words, and
// the grammar of parameter keys that refuses a parameter an operation
// does not have (UnknownParameter).
// https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
package awsapi
