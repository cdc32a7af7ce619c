package sqldb

import (
	"errors"
	"fmt"
	"os"
)

// ErrFileChanged reports that the SQLite file at a DB's path is gone or is
// another file than the one the DB opened: a write would land in an
// unlinked file and be lost with it.
var ErrFileChanged = errors.New("database file changed")

// createPrivate creates the SQLite file at path with mode 0600 when it
// does not exist, before SQLite opens it: the stores hold personal data
// (addresses, header blocks: Decree 91/2020 Art. 10.6, 11.7), and SQLite
// would create it 0644 under the usual umask. Its -wal and -shm files
// take the database file's mode. An existing file is left as it is.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, os.ErrExist):
		return nil
	case err != nil:
		return err
	}
	return f.Close()
}

// fileIdentity is what CheckFile compares: the file the DB opened.
type fileIdentity struct{ info os.FileInfo }

// openedFile stats path right after the writer opened it.
func openedFile(path string) (fileIdentity, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileIdentity{}, err
	}
	return fileIdentity{info: fi}, nil
}

// CheckFile returns an error wrapping ErrFileChanged when db is SQLite and
// the file at its path was deleted, renamed away or replaced since Open
// (os.SameFile: device and inode); nil for PostgreSQL.
func (db *DB) CheckFile() error {
	if db.Dialect != SQLite || db.file.info == nil {
		return nil
	}
	fi, err := os.Stat(db.Name)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w: %v", db.Name, ErrFileChanged, err)
	case !os.SameFile(fi, db.file.info):
		return fmt.Errorf("%s: %w: another file is at the path now", db.Name, ErrFileChanged)
	}
	return nil
}
