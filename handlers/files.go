package handlers

import (
	"errors"
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
			f, err := h.svc.UploadFile(c.Request().Context(), actor(c), part.FileName(), part)
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return nil, workflows.Invalid([]workflows.FieldError{{Field: "file", Reason: "is larger than the upload limit"}})
			}
			return f, err
		}
	}
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
	hd.Set("Digest", "sha-256="+f.SHA256)
	http.ServeContent(c.Response(), c.Request(), "", f.CreatedAt, content)
	return nil
}
