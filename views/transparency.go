package views

import "strings"

// PubTransparencyView is the /transparency page: how to keep signed
// checkpoints of the audit log and check them later.
type PubTransparencyView struct {
	Page
	Origin           string // the registry's public origin, for the commands shown
	KeyID, PublicKey string
	Latest           *PubCheckpoint // nil before the first checkpoint
}

// PubCheckpoint is a checkpoint as the page shows it.
type PubCheckpoint struct{ ID, Hash, At string }

// transpKeepCommands saves the key once and a checkpoint now and then.
func transpKeepCommands(origin string) string {
	return strings.Join([]string{
		"curl -s " + origin + "/api/v1/checkpoints/key > chengxin-key.json",
		"curl -s " + origin + "/api/v1/checkpoints/latest > checkpoint-$(date +%F).json",
		"curl -s '" + origin + "/api/v1/checkpoints?before=1000'",
	}, "\n")
}

// transpSignatureCommands check a kept checkpoint's signature with jq and
// OpenSSL 3 alone. The PEM is the DER prefix of an Ed25519 public key
// (12 bytes, 16 base64 characters) followed by the raw key's base64.
func transpSignatureCommands() string {
	return strings.Join([]string{
		`jq -j '"chengxin-checkpoint/v1\n\(.id)\n\(.hash)\n\(.at)\n"' checkpoint.json > message.txt`,
		`jq -r .signature checkpoint.json | base64 -d > signature.bin`,
		`printf -- '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA%s\n-----END PUBLIC KEY-----\n' \`,
		`  "$(jq -r .public_key chengxin-key.json)" > chengxin-key.pem`,
		`openssl pkeyutl -verify -pubin -inkey chengxin-key.pem -rawin -in message.txt -sigfile signature.bin`,
	}, "\n")
}

// transpCompareCommands compare a kept checkpoint with what the registry
// lists for the same entry today.
func transpCompareCommands(origin string) string {
	return strings.Join([]string{
		`id=$(jq .id checkpoint.json)`,
		`curl -s "` + origin + `/api/v1/checkpoints?before=$((id + 1))" \`,
		`  | jq -e --slurpfile kept checkpoint.json '.[0] == $kept[0]'`,
	}, "\n")
}

// transpAuditCommand checks the log itself against kept checkpoints.
const transpAuditCommand = "chengxin audit verify -db copy-of-chengxin.db -checkpoint checkpoint.json -public-key chengxin-key.json"

// transpMessage is the signed text, written out.
const transpMessage = "chengxin-checkpoint/v1\\n{id}\\n{hash}\\n{at}\\n"
