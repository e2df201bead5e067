package scoring

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// num formats points and rates with at most two decimals and no trailing zeros.
func num(x float64) string { return strconv.FormatFloat(round2(x), 'f', -1, 64) }

// period names a span of days, in whole years when it is a multiple of 365.
func period(days float64) (zh, en string) {
	if y := days / 365; y == math.Trunc(y) && y >= 1 {
		if y == 1 {
			return "一年", "year"
		}
		if y <= 10 {
			return []string{"两", "三", "四", "五", "六", "七", "八", "九", "十"}[int(y)-2] + "年", num(y) + " years"
		}
		return " " + num(y) + " 年", num(y) + " years"
	}
	return " " + num(days) + " 天", num(days) + " days"
}

// count formats a whole number with thousands separators for English ("3,600").
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func perUnit(units float64) (zh, en string) {
	if units == 1000 {
		return "每千单", "per 1,000 orders"
	}
	return "每 " + num(units) + " 单", "per " + num(units) + " orders"
}

// sentences explains every component and the grade with the vendor's own figures.
func sentences(r Rules, ev *Evaluation, in Inputs) map[string]Sentence {
	return map[string]Sentence{
		KeySatisfaction:  satisfactionSentence(r, ev),
		KeyComplaints:    complaintsSentence(r, ev),
		KeyQualification: qualificationSentence(r, ev, in),
		KeyRegulatory:    regulatorySentence(r, ev),
		KeyBonus:         bonusSentence(r, ev),
		SentenceGrade:    gradeSentence(r, ev, in),
	}
}

func satisfactionSentence(r Rules, ev *Evaluation) Sentence {
	e, s := &ev.Evidence, r.Satisfaction
	wz, we := period(r.WindowDays)
	tailZH := fmt.Sprintf("近期回访分量更重；每家商户都从全市平均满意度 %s 起算，相当于已有 %s 次回访。加权满意度 %s，本项得 %s 分（满分 %s）。",
		Percent(s.PriorMean), num(s.PriorWeight), Percent(e.SatisfactionShrunk), num(ev.Components.Satisfaction), num(s.MaxPoints))
	tailEN := fmt.Sprintf("Recent calls count more, and every vendor starts from the city average of %s satisfied, worth %s callbacks. Weighted satisfaction %s: %s of %s points.",
		Percent(s.PriorMean), num(s.PriorWeight), Percent(e.SatisfactionShrunk), num(ev.Components.Satisfaction), num(s.MaxPoints))
	if e.CallbacksCounted == 0 {
		return Sentence{
			ZH: "近" + wz + "没有回访记录。" + tailZH,
			EN: "No hotline callbacks in the last " + we + ". " + tailEN,
		}
	}
	rated := e.CallbacksSatisfied + e.CallbacksBasicallySatisfied + e.CallbacksDissatisfied
	zh := fmt.Sprintf("近%s回访 %d 次（其中近一年 %d 次）：满意 %d 次、基本满意 %d 次、不满意 %d 次、未接通 %d 次",
		wz, e.CallbacksCounted, e.CallbacksLastYear, e.CallbacksSatisfied, e.CallbacksBasicallySatisfied,
		e.CallbacksDissatisfied, e.CallbacksUnreachable)
	en := fmt.Sprintf("%d %s in the last %s (%d in the last year): %d satisfied, %d basically satisfied, %d dissatisfied, %d unreachable",
		e.CallbacksCounted, plural("callback", e.CallbacksCounted), we, e.CallbacksLastYear, e.CallbacksSatisfied, e.CallbacksBasicallySatisfied,
		e.CallbacksDissatisfied, e.CallbacksUnreachable)
	if rated > 0 {
		share := *Rate(e.CallbacksSatisfied+e.CallbacksBasicallySatisfied, rated)
		zh += "，满意或基本满意占 " + Percent(share)
		en += "; " + Percent(share) + " satisfied or basically satisfied"
	}
	return Sentence{ZH: zh + "。" + tailZH, EN: en + ". " + tailEN}
}

func complaintsSentence(r Rules, ev *Evaluation) Sentence {
	e, c := &ev.Evidence, r.Complaints
	wz, we := period(r.WindowDays)
	uz, ue := perUnit(c.OrdersPerUnit)
	var zh, en string
	if e.ComplaintsReceived == 0 {
		zh = fmt.Sprintf("近%s没有收到投诉；同期服务量约 %d 单。", wz, e.Orders)
		en = fmt.Sprintf("No complaints in the last %s; about %s orders in the same period. ", we, count(e.Orders))
	} else {
		zh = fmt.Sprintf("近%s收到投诉 %d 件，经核实计入 %d 件（按严重程度、是否超期和时间远近折算，相当于 %s 件一般投诉）；同期服务量约 %d 单。",
			wz, e.ComplaintsReceived, e.ComplaintsCounted, num(e.ComplaintPoints), e.Orders)
		en = fmt.Sprintf("%d %s in the last %s, %d verified and counted (equal to %s ordinary complaints after weighing severity, lateness and age); about %s orders in the same period. ",
			e.ComplaintsReceived, plural("complaint", e.ComplaintsReceived), we, e.ComplaintsCounted, num(e.ComplaintPoints), count(e.Orders))
	}
	if e.ComplaintsLate > 0 {
		zh += fmt.Sprintf("其中 %d 件超期办结或逾期未办结，按 %s 倍计。", e.ComplaintsLate, num(c.LateFactor))
		en += fmt.Sprintf("%d of them closed late or still open past the deadline, counting %s times. ", e.ComplaintsLate, num(c.LateFactor))
	}
	if e.ComplaintsOpenPastDeadline > 0 {
		zh += "逾期仍未办结的投诉按属实计。"
		en += "A complaint still open past its deadline counts as verified. "
	}
	if e.ComplaintsMerged > 0 {
		zh += fmt.Sprintf("同一服务单的重复投诉只计一次（合并 %d 件）。", e.ComplaintsMerged)
		en += fmt.Sprintf("Repeated complaints about the same service order count once (%d merged). ", e.ComplaintsMerged)
	}
	zh += fmt.Sprintf("折算%s核实投诉 %s 件（记录少时向全市基准 %s 件靠拢），本项得 %s 分（满分 %s）。",
		uz, num(e.ComplaintRate), num(c.PriorRate), num(ev.Components.Complaints), num(c.MaxPoints))
	en += fmt.Sprintf("That is %s verified complaints %s (pulled toward the city benchmark of %s while records are few): %s of %s points. ",
		num(e.ComplaintRate), ue, num(c.PriorRate), num(ev.Components.Complaints), num(c.MaxPoints))
	if c.RateHalf == 1 {
		zh += uz + "多一件核实投诉，本项分数减半"
		en += "Each extra verified complaint " + ue + " halves these points"
	} else {
		zh += fmt.Sprintf("%s核实投诉每多 %s 件，本项分数减半", uz, num(c.RateHalf))
		en += fmt.Sprintf("Every %s more verified complaints %s halve these points", num(c.RateHalf), ue)
	}
	zh += "；未核实、撤回或不属商户责任的投诉不扣分。"
	en += "; unverified, withdrawn or misrouted complaints cost nothing."
	return Sentence{ZH: zh, EN: en}
}

func qualificationSentence(r Rules, ev *Evaluation, in Inputs) Sentence {
	e, q := &ev.Evidence, r.Qualification
	var zh, en string
	switch {
	case !e.Active:
		sz, se := statusText(in.Status)
		zh = fmt.Sprintf("商户%s，执照项不得分", sz)
		en = fmt.Sprintf("The vendor is %s, so the licence earns nothing", se)
	case !e.LicenceValid:
		zh, en = "营业执照已过期，执照项不得分", "The business licence has expired and earns nothing"
	default:
		zh = fmt.Sprintf("营业执照有效（%s 分）", num(q.LicencePoints))
		en = fmt.Sprintf("Valid business licence (%s points)", num(q.LicencePoints))
	}
	switch {
	case e.InsuranceValid:
		zh += fmt.Sprintf("，责任保险在保（%s 分）", num(q.InsurancePoints))
		en += fmt.Sprintf("; liability insurance in force (%s points)", num(q.InsurancePoints))
	case in.InsuranceValidUntil == nil:
		zh += "，未登记责任保险（0 分）"
		en += "; no liability insurance on record (0 points)"
	default:
		zh += "，责任保险已过期（0 分）"
		en += "; liability insurance has expired (0 points)"
	}
	full := q.LicencePoints + q.InsurancePoints
	zh += fmt.Sprintf("；本项共 %s 分（满分 %s）。加入行业协会不加分，等级不能靠会费买到。", num(ev.Components.Qualification), num(full))
	en += fmt.Sprintf(": %s of %s points. Association membership earns no points: a grade cannot be bought with a membership fee.", num(ev.Components.Qualification), num(full))
	return Sentence{ZH: zh, EN: en}
}

func statusText(status string) (zh, en string) {
	switch status {
	case StatusSuspended:
		return "已暂停经营", "suspended"
	case StatusDeregistered:
		return "已注销", "deregistered"
	}
	return "状态为“" + status + "”", "in status “" + status + "”"
}

func regulatorySentence(r Rules, ev *Evaluation) Sentence {
	e, g := &ev.Evidence, r.Regulatory
	var zh, en string
	if e.Warnings+e.Fines+e.SeriousPenalties == 0 {
		zh = fmt.Sprintf("目前没有公示中的警告、罚款或严重处罚，本项得满分 %s 分。", num(g.MaxPoints))
		en = fmt.Sprintf("No warning, fine or serious penalty on display: full %s points.", num(g.MaxPoints))
	} else {
		var pz, pe []string
		for _, k := range []struct {
			n      int
			zh, en string
		}{{e.Warnings, "警告", "warning"}, {e.Fines, "罚款", "fine"}, {e.SeriousPenalties, "严重处罚", "serious penalty"}} {
			if k.n > 0 {
				pz = append(pz, fmt.Sprintf("%s %d 项", k.zh, k.n))
				pe = append(pe, fmt.Sprintf("%d %s", k.n, plural(k.en, k.n)))
			}
		}
		hz, he := period(g.HalfLifeDays)
		zh = fmt.Sprintf("目前公示中：%s，按时间折算后共扣 %s 分，本项得 %s 分（满分 %s）。处罚越久远扣分越少，每过%s减半。",
			strings.Join(pz, "、"), num(e.SanctionPoints), num(ev.Components.Regulatory), num(g.MaxPoints), hz)
		en = fmt.Sprintf("On display: %s, costing %s points after ageing: %s of %s points. Older sanctions cost less; the cost halves every %s.",
			strings.Join(pe, ", "), num(e.SanctionPoints), num(ev.Components.Regulatory), num(g.MaxPoints), he)
	}
	if e.Blacklisted {
		zh += "商户已列入严重失信名单（黑名单），等级定为 D。"
		en += " The vendor is on the blacklist of seriously untrustworthy entities, so its grade is D."
	}
	return Sentence{ZH: zh, EN: en}
}

func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func bonusSentence(r Rules, ev *Evaluation) Sentence {
	e, b := &ev.Evidence, r.Bonus
	wz, we := period(b.WindowDays)
	rule := fmt.Sprintf("（每次 %s 分，最多 %s 分）", num(b.PerCommendation), num(b.MaxPoints))
	ruleEN := fmt.Sprintf(" (%s points each, at most %s)", num(b.PerCommendation), num(b.MaxPoints))
	if e.Commendations == 0 {
		return Sentence{
			ZH: "近" + wz + "没有获得表彰，不加分" + rule + "。",
			EN: "No commendation in the last " + we + ", no bonus" + ruleEN + ".",
		}
	}
	return Sentence{
		ZH: fmt.Sprintf("近%s获得表彰 %d 次，加 %s 分%s。", wz, e.Commendations, num(ev.Components.Bonus), rule),
		EN: fmt.Sprintf("%d %s in the last %s: %s bonus points%s.", e.Commendations,
			plural("commendation", e.Commendations), we, num(ev.Components.Bonus), ruleEN),
	}
}

// Sentences returns the plain-language sentences of a stored evaluation. They
// depend only on the evaluation (components, evidence, reasons) and, of the
// inputs, on Status and InsuranceValidUntil, so they can be rebuilt without
// the vendor's records.
func Sentences(r Rules, ev Evaluation, in Inputs) map[string]Sentence { return sentences(r, &ev, in) }
