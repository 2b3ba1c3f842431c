module github.com/gatehouse/gatehouse/bench/peers

go 1.26.0

replace github.com/gatehouse/gatehouse => ../..

require (
	github.com/cedar-policy/cedar-go v1.9.0
	github.com/gatehouse/gatehouse v0.0.0-00010101000000-000000000000
	github.com/minio/pkg/v3 v3.1.3
)

require (
	github.com/go-json-experiment/json v0.0.0-20260820222146-c27c302e5fc3 // indirect
	github.com/goccy/go-json v0.10.5 // indirect
	github.com/minio/minio-go/v7 v7.0.88 // indirect
	golang.org/x/exp v0.0.0-20250620022241-b7579e27df2b // indirect
)
