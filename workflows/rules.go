package workflows

import "time"

// Rules are the configurable numbers of the dispute process.
type Rules struct {
	// ResponseWindowFreelancer is the time a freelancer respondent has to answer.
	ResponseWindowFreelancer time.Duration
	// ResponseWindowEmployer is the time an employer respondent has to answer.
	ResponseWindowEmployer time.Duration
	// FeeWindow is the time the other party has to pay once one has paid.
	FeeWindow time.Duration
	// FeeBasisPoints is the fee as hundredths of a percent of the disputed total.
	FeeBasisPoints int64
	// FeeMinimum is the smallest fee, in minor units.
	FeeMinimum int64
}

// DefaultRules are PRODUCT.md's defaults: 4 and 14 days to respond, 4 days
// to match a fee, a fee of 5% with a minimum of 5.00.
func DefaultRules() Rules {
	return Rules{
		ResponseWindowFreelancer: 96 * time.Hour,
		ResponseWindowEmployer:   336 * time.Hour,
		FeeWindow:                96 * time.Hour,
		FeeBasisPoints:           500,
		FeeMinimum:               500,
	}
}

// Fee is max(percentage of total, minimum), rounded half up to the minor unit.
func (r Rules) Fee(total int64) int64 {
	fee := (total*r.FeeBasisPoints + 5000) / 10000
	return max(fee, r.FeeMinimum)
}

func (r Rules) responseWindow(respondentRole string) time.Duration {
	if respondentRole == "freelancer" {
		return r.ResponseWindowFreelancer
	}
	return r.ResponseWindowEmployer
}
