package registry

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// SigningKey is the Ed25519 key that signs audit checkpoints. It lives in a
// file outside the database (PKCS #8 PEM, mode 0600), so whoever can write
// the database cannot sign a rewritten history.
type SigningKey struct {
	Path    string
	Public  ed25519.PublicKey
	ID      string // KeyID(Public)
	private ed25519.PrivateKey
}

// KeyID names a public key: the lowercase hex of the first 8 bytes of the
// SHA-256 of its raw 32 bytes. Anyone can recompute it from the key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ErrNoSigningKey means the key file does not exist (and was not to be made).
var ErrNoSigningKey = errors.New("registry: no signing key")

// LoadSigningKey reads the key file at path. It refuses a file that others
// may read, as ssh does.
func LoadSigningKey(path string) (*SigningKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNoSigningKey, path)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: signing key: %w", err)
	}
	if runtime.GOOS != "windows" {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("registry: signing key %s has mode %04o: others may read it; run chmod 600 %s", path, st.Mode().Perm(), path)
		}
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("registry: signing key %s is not a PEM \"PRIVATE KEY\"", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("registry: signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("registry: signing key %s is not an Ed25519 key", path)
	}
	pub := priv.Public().(ed25519.PublicKey)
	return &SigningKey{Path: path, Public: pub, ID: KeyID(pub), private: priv}, nil
}

// LoadOrCreateSigningKey reads the key file at path, creating it with a new
// key (mode 0600) when it does not exist. Creation is atomic: the key is
// written to a temporary file and linked into place, so two processes
// starting together end up with the same key, never a half-written file.
func LoadOrCreateSigningKey(path string) (*SigningKey, error) {
	k, err := LoadSigningKey(path)
	if !errors.Is(err, ErrNoSigningKey) {
		return k, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("registry: generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("registry: encode signing key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return nil, fmt.Errorf("registry: create signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("registry: create signing key: %w", err)
	}
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("registry: write signing key: %w", err)
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return nil, fmt.Errorf("registry: write signing key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("registry: create signing key %s: %w", path, err)
	}
	return LoadSigningKey(path) // ours, or the one another process linked first
}

// sign signs a message with the private key.
func (k *SigningKey) sign(msg []byte) []byte { return ed25519.Sign(k.private, msg) }

// ParsePublicKey reads an Ed25519 public key given as the base64 of its raw
// 32 bytes, a PEM "PUBLIC KEY" (what `openssl pkey -pubout` writes), or the
// JSON of GET /api/v1/checkpoints/key.
func ParsePublicKey(text string) (ed25519.PublicKey, error) {
	text = strings.TrimSpace(text)
	var info CheckpointKeyInfo
	if strings.HasPrefix(text, "{") {
		if err := json.Unmarshal([]byte(text), &info); err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		if info.Algorithm != "ed25519" {
			return nil, fmt.Errorf("public key: algorithm %q, want ed25519", info.Algorithm)
		}
		text = info.PublicKey
	}
	if block, _ := pem.Decode([]byte(text)); block != nil {
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, errors.New("public key: not an Ed25519 key")
		}
		return pub, nil
	}
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("public key: want the base64 of 32 bytes, a PEM PUBLIC KEY or the JSON of /api/v1/checkpoints/key")
	}
	pub := ed25519.PublicKey(raw)
	if info.KeyID != "" && info.KeyID != KeyID(pub) {
		return nil, fmt.Errorf("public key: key_id %s does not match the key (%s)", info.KeyID, KeyID(pub))
	}
	return pub, nil
}
