package workflows

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
)

// FileStore keeps uploaded content, addressed by its SHA-256. The disk
// implementation is models.DiskStore; object storage can replace it.
type FileStore interface {
	// Put streams content, returning its SHA-256 (hex) and size;
	// models.ErrTooLarge past max bytes.
	Put(r io.Reader, max int64) (sum string, size int64, err error)
	Open(sum string) (io.ReadSeekCloser, error)
}

// Office documents are zip files; their type comes from the name's
// extension, and only when the content really is a zip.
const (
	docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	odt  = "application/vnd.oasis.opendocument.text"
)

var officeExtensions = map[string]string{".docx": docx, ".xlsx": xlsx, ".pptx": pptx, ".odt": odt}

// allowedTypes are the content types accepted, as sniffed from the content
// (never as declared by the client): documents and images.
var allowedTypes = map[string]bool{
	"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"text/plain; charset=utf-8": true, docx: true, xlsx: true, pptx: true, odt: true,
}

// UploadFile stores a file for the caller. Its type is sniffed from the
// first bytes and checked against an allow-list. Errors: KindInvalid
// (type not allowed, empty, too large).
func (s *Service) UploadFile(ctx context.Context, a Actor, name string, body io.Reader) (*models.File, error) {
	if !s.authz.Allowed(a.roleRelations(), "file", "upload") {
		return nil, forbidden("you may not upload files")
	}
	if err := s.ensureNotSuspended(s.db.WithContext(ctx), a.ID); err != nil {
		return nil, err
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = head[:n]
	if n == 0 {
		return nil, invalid("file_empty", "file", "the file is empty")
	}
	contentType := http.DetectContentType(head)
	if contentType == "application/zip" {
		contentType = officeExtensions[strings.ToLower(path.Ext(name))]
	}
	if !allowedTypes[contentType] {
		return nil, invalid("file_type_not_allowed", "file", "only PDF, images (PNG, JPEG, GIF, WebP), plain text and office documents are accepted")
	}
	sum, size, err := s.files.Put(io.MultiReader(bytes.NewReader(head), body), s.maxUpload)
	if errors.Is(err, models.ErrTooLarge) {
		return nil, invalid("file_too_large", "file", "the file is larger than the upload limit")
	}
	if err != nil {
		return nil, err
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*models.File, error) {
		f := &models.File{ID: newID("fil"), UploaderID: a.ID, Name: path.Base(name), ContentType: contentType,
			Size: size, SHA256: sum, CreatedAt: s.now()}
		return f, tx.Create(f).Error
	})
}

// OpenFile returns a file's record and content for a caller who may see it:
// its uploader, or anyone who may read a message or evidence that
// references it. Errors: KindNotFound.
func (s *Service) OpenFile(ctx context.Context, a Actor, id string) (*models.File, io.ReadSeekCloser, error) {
	db := s.db.WithContext(ctx)
	var f models.File
	if err := first(db, "file", &f, id); err != nil {
		return nil, nil, err
	}
	ok, err := s.maySeeFile(db, a, &f)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, notFound("file")
	}
	content, err := s.files.Open(f.SHA256)
	return &f, content, err
}

func (s *Service) maySeeFile(db *gorm.DB, a Actor, f *models.File) (bool, error) {
	if f.UploaderID == a.ID {
		return true, nil
	}
	var convIDs []string
	if err := db.Model(&models.Message{}).Distinct("conversation_id").
		Where("id IN (?)", db.Model(&models.MessageFile{}).Select("message_id").Where("file_id = ?", f.ID)).
		Pluck("conversation_id", &convIDs).Error; err != nil {
		return false, err
	}
	for _, id := range convIDs {
		if _, err := s.readableConversation(db, a, id); err == nil {
			return true, nil
		}
	}
	var disputeIDs []string
	if err := db.Model(&models.Evidence{}).Distinct("dispute_id").Where("file_id = ?", f.ID).
		Pluck("dispute_id", &disputeIDs).Error; err != nil {
		return false, err
	}
	for _, id := range disputeIDs {
		var d models.Dispute
		if err := first(db, "dispute", &d, id); err != nil {
			return false, err
		}
		if s.authz.Allowed(disputeRelations(a, &d), "dispute", "read") {
			return true, nil
		}
	}
	return false, nil
}
