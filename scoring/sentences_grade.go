package scoring

import (
	"fmt"
	"strings"
)

// gradeLabel names a grade in plain language.
func gradeLabel(g string) (zh, en string) {
	switch g {
	case GradeA:
		return "优秀", "excellent"
	case GradeB:
		return "良好", "good"
	case GradeC:
		return "一般", "fair"
	case GradeD:
		return "较差", "poor"
	}
	return "暂不评级", "not yet rated"
}

// gradeSentence explains the score, the thresholds and every rule that changed the grade.
func gradeSentence(r Rules, ev *Evaluation, in Inputs) Sentence {
	g, e := r.Grades, &ev.Evidence
	zh := []string{fmt.Sprintf("总分 %s 分（满分 100；A 级 ≥ %s、B 级 ≥ %s、C 级 ≥ %s，低于 %s 为 D 级）。",
		num(ev.Score), num(g.A), num(g.B), num(g.C), num(g.C))}
	en := []string{fmt.Sprintf("Score %s out of 100 (A from %s, B from %s, C from %s, D below %s).",
		num(ev.Score), num(g.A), num(g.B), num(g.C), num(g.C))}
	for _, reason := range ev.Reasons {
		z, n := reasonSentence(g, e, in, reason)
		zh, en = append(zh, z), append(en, n)
	}
	lz, le := gradeLabel(ev.Grade)
	if ev.Grade == GradeN {
		zh = append(zh, "等级：暂不评级（N）。")
		en = append(en, "Grade: N, not yet rated.")
	} else {
		zh = append(zh, fmt.Sprintf("等级：%s（%s）。", ev.Grade, lz))
		en = append(en, fmt.Sprintf("Grade: %s (%s).", ev.Grade, le))
	}
	return Sentence{ZH: strings.Join(zh, ""), EN: strings.Join(en, " ")}
}

func reasonSentence(g GradeRules, e *Evidence, in Inputs, reason string) (zh, en string) {
	switch reason {
	case ReasonARequirements:
		var mz, me []string
		if e.CallbacksWeight < g.AMinCallbackWeight {
			mz = append(mz, fmt.Sprintf("回访记录不足（加权 %s 次，需 %s 次）", num(e.CallbacksWeight), num(g.AMinCallbackWeight)))
			me = append(me, fmt.Sprintf("callback weight %s (%s needed)", num(e.CallbacksWeight), num(g.AMinCallbackWeight)))
		}
		if e.RegisteredDays < g.AMinRegisteredDays {
			mz = append(mz, fmt.Sprintf("注册不满 %s 天", num(g.AMinRegisteredDays)))
			me = append(me, fmt.Sprintf("registered for less than %s days", num(g.AMinRegisteredDays)))
		}
		if e.SeriousComplaintsRecent > 0 {
			mz = append(mz, fmt.Sprintf("近 %s 天有 %d 件计入的严重或重大投诉", num(g.ASeriousComplaintDays), e.SeriousComplaintsRecent))
			me = append(me, fmt.Sprintf("%d counted serious or major %s in the last %s days", e.SeriousComplaintsRecent,
				plural("complaint", e.SeriousComplaintsRecent), num(g.ASeriousComplaintDays)))
		}
		return "分数已达 A 级，但 A 级还需要足够的信用记录，目前" + strings.Join(mz, "、") + "，因此最高为 B 级。",
			"The score reaches A, but an A needs a track record, which is missing here: " + strings.Join(me, "; ") + ". The grade is at most B."
	case ReasonCapC:
		var cz, ce []string
		if !e.Active {
			sz, se := statusText(in.Status)
			cz, ce = append(cz, "商户"+sz), append(ce, "the vendor is "+se)
		}
		if e.SeriousPenalties > 0 {
			cz, ce = append(cz, "有公示中的严重处罚"), append(ce, "a serious penalty is on display")
		}
		return "因" + strings.Join(cz, "且") + "，等级最高为 C 级。",
			"Because " + strings.Join(ce, " and ") + ", the grade is at most C."
	case ReasonCapD:
		return "商户已列入严重失信名单（黑名单），等级为 D 级。",
			"The vendor is on the blacklist of seriously untrustworthy entities, so the grade is D."
	case ReasonInsufficientEvidence:
		var mz, me []string
		if e.RegisteredDays < g.NMinRegisteredDays {
			mz = append(mz, fmt.Sprintf("注册不满 %s 天", num(g.NMinRegisteredDays)))
			me = append(me, fmt.Sprintf("it registered less than %s days ago", num(g.NMinRegisteredDays)))
		}
		if e.CallbacksWeight < g.NMinCallbackWeight {
			mz = append(mz, fmt.Sprintf("回访记录还太少（加权 %s 次，需 %s 次）", num(e.CallbacksWeight), num(g.NMinCallbackWeight)))
			me = append(me, fmt.Sprintf("it has too few callbacks (weight %s, %s needed)", num(e.CallbacksWeight), num(g.NMinCallbackWeight)))
		}
		return "商户没有负面记录，但" + strings.Join(mz, "、") + "，证据不足以评级。",
			"The vendor has no negative record, but " + strings.Join(me, " and ") + ", too little evidence for a grade."
	}
	return "", ""
}
