package workflows

import (
	"context"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
	"github.com/disputed/disputed/policies"
)

// NewProject is a validated request to create a project.
type NewProject struct {
	Title        string
	FreelancerID string
	Currency     string
}

// projectRelations are the caller's relations to a project: its part in it
// from the data (employer or freelancer, either being a party) plus its
// token roles.
func projectRelations(a Actor, p *models.Project) []policies.Relation {
	rels := a.roleRelations()
	switch a.ID {
	case p.EmployerID:
		rels = append(rels, policies.Employer, policies.Party)
	case p.FreelancerID:
		rels = append(rels, policies.Freelancer, policies.Party)
	}
	return rels
}

// CreateProject makes the caller the employer of a new project with the
// named freelancer, and opens their conversation. Errors: KindInvalid
// (freelancer is the caller); KindForbidden (suspended).
func (s *Service) CreateProject(ctx context.Context, a Actor, in NewProject) (*models.Project, error) {
	if !s.authz.Allowed(a.roleRelations(), "project", "create") {
		return nil, forbidden("you may not create projects")
	}
	if in.FreelancerID == a.ID {
		return nil, invalid("validation_failed", "freelancer_id", "must be someone other than the employer")
	}
	return inTx(ctx, s, func(tx *gorm.DB) (*models.Project, error) {
		if err := s.ensureNotSuspended(tx, a.ID); err != nil {
			return nil, err
		}
		p := &models.Project{
			ID: newID("prj"), Title: in.Title, EmployerID: a.ID, FreelancerID: in.FreelancerID,
			Currency: in.Currency, CreatedAt: s.now(),
		}
		if err := tx.Create(p).Error; err != nil {
			return nil, err
		}
		return p, s.createProjectConversation(tx, p)
	})
}

// GetProject returns a project the caller may read. Errors: KindNotFound.
func (s *Service) GetProject(ctx context.Context, a Actor, id string) (*models.Project, error) {
	var p models.Project
	if err := first(s.db.WithContext(ctx), "project", &p, id); err != nil {
		return nil, err
	}
	if err := s.authorize(projectRelations(a, &p), "project", "read"); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListProjects lists the projects where the caller is employer or freelancer, newest first.
func (s *Service) ListProjects(ctx context.Context, a Actor, page PageRequest) (Page[models.Project], error) {
	q := s.db.WithContext(ctx).Where("employer_id = ? OR freelancer_id = ?", a.ID, a.ID)
	return pageByID(q, page, func(p models.Project) string { return p.ID })
}
