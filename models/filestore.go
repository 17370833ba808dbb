package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrTooLarge is returned by Put when the content exceeds the limit.
var ErrTooLarge = errors.New("content exceeds the size limit")

// DiskStore keeps file content under a directory, addressed by SHA-256, so
// the same content is stored once and a stored file can never change.
type DiskStore struct{ dir string }

// NewDiskStore keeps files under dir.
func NewDiskStore(dir string) *DiskStore { return &DiskStore{dir: dir} }

// Put streams r to disk, hashing as it goes, and returns the SHA-256 (hex)
// and size. More than max bytes: ErrTooLarge, and nothing is kept.
func (s *DiskStore) Put(r io.Reader, max int64) (string, int64, error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return "", 0, err
	}
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return "", 0, err
	}
	if n > max {
		return "", 0, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := s.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", 0, fmt.Errorf("store %s: %w", sum, err)
	}
	return sum, n, nil
}

// Open reads the content with this SHA-256.
func (s *DiskStore) Open(sum string) (io.ReadSeekCloser, error) {
	if len(sum) != 64 {
		return nil, fmt.Errorf("bad content address %q", sum)
	}
	return os.Open(s.path(sum))
}

func (s *DiskStore) path(sum string) string {
	return filepath.Join(s.dir, sum[:2], sum[2:4], sum)
}
