package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir makes SQLite mode single-instance: a second process serving
// the same data dir would compete for deadlines and the embedded ledger
// with no row locks to keep them apart. The lock is released when the
// process exits, however it exits.
func lockDataDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "disputed.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another disputed is already serving %s: SQLite mode is single-instance; "+
				"run several instances on PostgreSQL (DISPUTED_DATABASE_URL)", dir)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
