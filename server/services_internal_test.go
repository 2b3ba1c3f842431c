package server

import (
	"maps"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/awsapi/iamapi"
	"github.com/gatehouse/gatehouse/awsapi/stsapi"
	"github.com/gatehouse/gatehouse/iam"
)

// TestServedOperations: the route table serves, by API version, what the
// services implement: IAM's the operations iam.Service implements
// (pinned by iam's served.txt and TestServed), STS's none until an STS
// service is passed in, so every STS action answers InvalidAction.
func TestServedOperations(t *testing.T) {
	services := newServices(nil)
	if len(services) != 2 {
		t.Fatalf("%d services", len(services))
	}
	iamOps := slices.Sorted(maps.Keys(services[iamapi.APIVersion].handlers))
	want := slices.Sorted(maps.Keys(iamapi.Handlers((*iam.Service)(nil))))
	if !slices.Equal(iamOps, want) || len(iamOps) != 155 {
		t.Errorf("IAM routes %d operations, iam.Service implements %d", len(iamOps), len(want))
	}
	if sts := services[stsapi.APIVersion]; sts == nil || len(sts.handlers) != 0 {
		t.Errorf("STS routes %v", sts)
	}
}
