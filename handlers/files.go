package handlers

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/disputed/disputed/workflows"
)

// uploadFile streams the multipart field "file" into the store without
// buffering it; the size cap is enforced while streaming.
func (h *api) uploadFile(c echo.Context) (any, error) {
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); mt != echo.MIMEMultipartForm {
		return nil, problem(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the file as multipart/form-data in the field \"file\"")
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, problem(http.StatusBadRequest, "malformed_multipart", err.Error())
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, workflows.Invalid([]workflows.FieldError{{Field: "file", Reason: "is required"}})
		}
		if part.FormName() == "file" {
			body := &recordingReader{r: part}
			f, err := h.svc.UploadFile(c.Request().Context(), actor(c), part.FileName(), body)
			if err != nil && body.err != nil && !errors.Is(body.err, io.EOF) {
				// The upload itself broke (cut off, malformed): the client's doing, not ours.
				return nil, problem(http.StatusBadRequest, "malformed_multipart", "the upload was cut off or malformed")
			}
			return f, err
		}
	}
}

// recordingReader remembers the first error reading the upload, to tell a
// broken request from a failure of ours.
type recordingReader struct {
	r   io.Reader
	err error
}

func (r *recordingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && r.err == nil {
		r.err = err
	}
	return n, err
}

// downloadFile serves a file as an attachment, with its sniffed type and
// nosniff, so a browser never renders it as a page of this origin.
func (h *api) downloadFile(c echo.Context) error {
	f, content, err := h.svc.OpenFile(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	defer content.Close()
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, f.ContentType)
	hd.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	if sum, err := hex.DecodeString(f.SHA256); err == nil {
		hd.Set("Digest", "sha-256="+base64.StdEncoding.EncodeToString(sum)) // RFC 3230
	}
	http.ServeContent(c.Response(), c.Request(), "", f.CreatedAt, content)
	return nil
}
