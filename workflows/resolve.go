package workflows

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/disputed/disputed/models"
)

// resolve closes the case through transition t. For every outcome but
// withdrawal it writes, in the caller's transaction, the release and return
// instructions split across the disputed milestones (release filled in
// milestone order) with keys derived from the case, so no retry or race can
// write a second set. refund names whose paid fees go back: employer,
// freelancer, both or none.
func (s *Service) resolve(tx *gorm.DB, d *models.Dispute, t *Transition, actorID, outcome string, release int64, refund string) error {
	now := s.now()
	s.enter(d, t)
	d.Outcome, d.FeeRefund, d.ResolvedAt = &outcome, refund, &now
	if outcome != OutcomeWithdrawn {
		ret := d.TotalAmount - release
		d.ReleaseAmount, d.ReturnAmount = &release, &ret
	}
	if err := tx.Model(&models.Offer{}).Where("dispute_id = ? AND status = ?", d.ID, offerOpen).
		Update("status", offerClosed).Error; err != nil {
		return err
	}
	var parts []models.DisputeMilestone
	if err := tx.Where("dispute_id = ?", d.ID).Order("milestone_id").Find(&parts).Error; err != nil {
		return err
	}
	left := release
	for _, part := range parts {
		var m models.Milestone
		if err := first(lockForUpdate(tx), "milestone", &m, part.MilestoneID); err != nil {
			return err
		}
		m.DisputeID, m.UpdatedAt = nil, now
		if outcome != OutcomeWithdrawn {
			rel := min(left, part.Amount)
			left -= rel
			if err := s.disburse(tx, d, &m, models.KindRelease, rel, userAccount(d.FreelancerID)); err != nil {
				return err
			}
			if err := s.disburse(tx, d, &m, models.KindReturn, part.Amount-rel, userAccount(d.EmployerID)); err != nil {
				return err
			}
		}
		settleState(&m)
		if err := tx.Save(&m).Error; err != nil {
			return err
		}
	}
	for _, role := range []string{RoleEmployer, RoleFreelancer} {
		if *feeStatus(d, role) == FeePaid && refunds(refund, role) {
			if err := s.refundFee(tx, d, role); err != nil {
				return err
			}
		}
	}
	data := map[string]any{"outcome": outcome, "fee_refund": refund, "stage": d.Stage}
	if d.ReleaseAmount != nil {
		data["release_amount"], data["return_amount"] = *d.ReleaseAmount, *d.ReturnAmount
	}
	return s.record(tx, d, "resolved", actorID, data)
}

func refunds(refund, role string) bool { return refund == "both" || refund == role }

// disburse writes one leg of a verdict for a milestone, if it moves money.
func (s *Service) disburse(tx *gorm.DB, d *models.Dispute, m *models.Milestone, kind string, amount int64, to string) error {
	if amount == 0 {
		return nil
	}
	m.PendingAmount += amount
	m.Ops++
	_, err := s.emit(tx, &models.Instruction{
		IdempotencyKey: fmt.Sprintf("dispute:%s:%s:%s", d.ID, kind, m.ID), Kind: kind,
		Currency: d.Currency, Amount: amount, ProjectID: d.ProjectID, MilestoneID: &m.ID, DisputeID: &d.ID,
		FromAccount: escrowAccount(m.ID), ToAccount: to,
	})
	return err
}

func (s *Service) refundFee(tx *gorm.DB, d *models.Dispute, role string) error {
	_, err := s.emit(tx, &models.Instruction{
		IdempotencyKey: fmt.Sprintf("dispute:%s:fee_refund:%s", d.ID, role), Kind: models.KindFeeRefund,
		Currency: d.Currency, Amount: d.FeeAmount, ProjectID: d.ProjectID, DisputeID: &d.ID,
		FromAccount: feeAccount(d.ID), ToAccount: userAccount(partyID(d, role)),
	})
	return err
}

// settleFee applies the ledger's answer to a fee instruction. An
// acknowledged charge counts as paid: it escalates an open case (the
// machine's fee_confirmed) or, if the case closed meanwhile, is refunded
// when the closing said so. A rejected charge leaves the fee unpaid.
func (s *Service) settleFee(tx *gorm.DB, ins *models.Instruction) error {
	var d models.Dispute
	if err := first(lockForUpdate(tx), "dispute", &d, *ins.DisputeID); err != nil {
		return err
	}
	account := ins.FromAccount // the payer of a charge
	if ins.Kind == models.KindFeeRefund {
		account = ins.ToAccount // the payee of a refund
	}
	role := RoleEmployer
	if account == userAccount(d.FreelancerID) {
		role = RoleFreelancer
	}
	kind := map[string]string{
		models.KindFeeCharge + models.InstructionAcked:    "fee_paid",
		models.KindFeeCharge + models.InstructionRejected: "fee_charge_rejected",
		models.KindFeeRefund + models.InstructionAcked:    "fee_refunded",
		models.KindFeeRefund + models.InstructionRejected: "fee_refund_rejected",
	}[ins.Kind+ins.Status]
	if err := s.record(tx, &d, kind, "system", map[string]any{"party": role, "instruction_id": ins.ID, "reason": ins.Reason}); err != nil {
		return err
	}
	if ins.Kind == models.KindFeeCharge {
		if ins.Status == models.InstructionRejected {
			*feeStatus(&d, role) = FeeUnpaid
		} else if err := s.feePaid(tx, &d, role); err != nil {
			return err
		}
	}
	return s.save(tx, &d)
}

func (s *Service) feePaid(tx *gorm.DB, d *models.Dispute, role string) error {
	*feeStatus(d, role) = FeePaid
	switch Stage(d.Stage) {
	case StageResolved, StageWithdrawn:
		if refunds(d.FeeRefund, role) {
			return s.refundFee(tx, d, role)
		}
		return nil
	}
	if d.EmployerFee != FeePaid || d.FreelancerFee != FeePaid {
		d.FirstPayer = role
	}
	t, err := s.transition(Stage(d.Stage), ActionFeeConfirmed, systemRelations)
	if err != nil {
		return err
	}
	s.enter(d, t)
	if err := s.record(tx, d, "escalated", "system", map[string]any{"stage": d.Stage, "deadline_at": d.DeadlineAt}); err != nil {
		return err
	}
	if t.To == StageArbitration && d.ArbitratorID == nil {
		return s.autoAssign(tx, d)
	}
	return nil
}

// autoAssign gives the case to the known arbitrator with the fewest cases in
// arbitration who is not a party; with none, support assigns one later.
func (s *Service) autoAssign(tx *gorm.DB, d *models.Dispute) error {
	var ids []string
	err := tx.Raw(`SELECT a.user_id FROM arbitrators a
		LEFT JOIN disputes c ON c.arbitrator_id = a.user_id AND c.stage = ?
		WHERE a.user_id NOT IN (?, ?)
		GROUP BY a.user_id ORDER BY COUNT(c.id), a.user_id LIMIT 1`,
		string(StageArbitration), d.EmployerID, d.FreelancerID).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return err
	}
	d.ArbitratorID = &ids[0]
	return s.record(tx, d, "arbitrator_assigned", "system", map[string]any{"arbitrator_id": ids[0], "automatic": true})
}
