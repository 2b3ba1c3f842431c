package e2e_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// bound is how soon a change made through one process is enforced by
// another on the same data directory.
const bound = time.Second

// TestTwoProcessesOneDataDir runs two `gatehouse serve` on one data
// directory, as an admin command or a second node would share it: what
// one writes the other enforces within the bound, and racing writers of
// one name across both get exactly one success.
func TestTwoProcessesOneDataDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p1 := serve(t, dir)
	p2 := serve(t, dir)
	admin := adminCreds(t, dir)
	c1, c2 := client(p1.endpoint, admin), client(p2.endpoint, admin)

	// A user made on p1, with a policy and a key, is enforced on p2.
	pol, err := c1.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("list-users"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c1.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c1.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	key, err := c1.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Now()
	bob2 := client(p2.endpoint, aws.Credentials{AccessKeyID: *key.AccessKey.AccessKeyId, SecretAccessKey: *key.AccessKey.SecretAccessKey})
	for {
		_, err := bob2.ListUsers(ctx, &awsiam.ListUsersInput{})
		if err == nil {
			break
		}
		if time.Since(created) > bound {
			t.Fatalf("%v after bob was created on the first process, the second still answers %v", bound, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("a user, policy and key made on one process were enforced on the other after %v", time.Since(created))
	if _, err := bob2.ListRoles(ctx, &awsiam.ListRolesInput{}); code(err) != "AccessDenied" {
		t.Fatalf("bob ListRoles on the second process = %v, want AccessDenied (his policy allows ListUsers only)", err)
	}

	// 20 CreateUser of one name, across both processes at once.
	const racers = 20
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = map[string]int{}
	)
	start := make(chan struct{})
	for i := range racers {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		wg.Go(func() {
			<-start
			_, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("racer")})
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				codes["ok"]++
			} else {
				codes[code(err)]++
			}
		})
	}
	close(start)
	wg.Wait()
	if codes["ok"] != 1 || codes["EntityAlreadyExists"] != racers-1 {
		t.Fatalf("racing CreateUser of one name: %v, want 1 ok and %d EntityAlreadyExists", codes, racers-1)
	}
	for i, c := range []*awsiam.Client{c1, c2} {
		// Each process may still be applying the other's commit: within
		// the bound both list the one racer once.
		deadline := time.Now().Add(bound)
		for {
			n, err := countUsers(ctx, c, "racer")
			if err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("process %d lists racer %d times", i+1, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	// A policy detached on p1 denies on p2 at the next request after the
	// bound.
	if _, err := c1.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	detached := time.Now()
	time.Sleep(bound)
	if _, err := bob2.ListUsers(ctx, &awsiam.ListUsersInput{}); code(err) != "AccessDenied" {
		t.Fatalf("%v after the detach on the first process, bob's ListUsers on the second = %v, want AccessDenied", time.Since(detached), err)
	}
	// And on p1 at once: a process reads its own writes.
	bob1 := client(p1.endpoint, aws.Credentials{AccessKeyID: *key.AccessKey.AccessKeyId, SecretAccessKey: *key.AccessKey.SecretAccessKey})
	if _, err := bob1.ListUsers(ctx, &awsiam.ListUsersInput{}); code(err) != "AccessDenied" {
		t.Fatalf("bob's ListUsers on the process that detached = %v, want AccessDenied", err)
	}

	// A process restarted on the data dir starts from the snapshot and
	// follows on.
	p2.terminate(t)
	p3 := serve(t, dir)
	c3 := client(p3.endpoint, admin)
	if n, err := countUsers(ctx, c3, "racer"); err != nil || n != 1 {
		t.Fatalf("after a restart: racer listed %d times, %v", n, err)
	}
	if _, err := c1.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("racer")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(bound)
	for {
		_, err := c3.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("racer")})
		if code(err) == "NoSuchEntity" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restarted process still answers GetUser racer with %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func countUsers(ctx context.Context, c *awsiam.Client, name string) (int, error) {
	n := 0
	p := awsiam.NewListUsersPaginator(c, &awsiam.ListUsersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("ListUsers: %w", err)
		}
		for _, u := range out.Users {
			if *u.UserName == name {
				n++
			}
		}
	}
	return n, nil
}
