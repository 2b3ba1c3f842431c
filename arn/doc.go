// Package arn parses, validates and builds Amazon Resource Names for every
// AWS partition, and maps regions to partitions.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
package arn
