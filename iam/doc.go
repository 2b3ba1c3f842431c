// Package iam is the IAM service: every IAM operation as a plain Go method
// that takes the generated input type and returns the generated output
// type (package awsapi/iamapi), with AWS's identifiers, ARNs, defaults,
// quotas and errors. It knows nothing about HTTP; package server decodes,
// authenticates and encodes.
//
// The whole state of every account lives in memory and is persisted as
// records through a store.Store. A mutation runs under one writer lock:
// it reads the current state, stages new entity values, commits them with
// their change-log entries in one store transaction, and only then makes
// them visible. Entities are immutable once visible: a change clones the
// entity and replaces it, so readers never see a half-made change.
//
// Every operation is authorized with package authz before it acts: its
// action (iamapi.ActionCreateUser, ...: generated from the model and
// checked against the Service Authorization Reference, never typed by
// hand) on the resource ARN the reference gives for it (built by the
// generated builders of its ARN formats, iamapi.UserARN, ...), with the
// request context. The caller's compiled
// policies come from an in-memory cache that is dropped whenever a record
// that feeds it changes; AWS managed policies are compiled once.
package iam

//go:generate go run ../internal/cmd/genapi -model ../awsapi/models/iam/2010-05-08 -served served.txt -api github.com/gatehouse/gatehouse/awsapi/iamapi -pkg iam -type Service -out .
