package i18n

// Membership consent (association invites, the vendor answers) and the
// regulator dashboard's hotline rates.
func init() {
	add(map[string][2]string{
		"membership.declined":       {"商户已拒绝", "Declined by the vendor"},
		"membership.left_vendor":    {"商户已退出", "Left by the vendor"},
		"membership.left_org":       {"协会已终止", "Ended by the association"},
		"membership.unknown_action": {"未知的操作", "unknown action"},
		"membership.not_now":        {"无法%s：该会员关系当前为“%s”。", "Cannot %s: the membership is \"%s\"."},

		"membership_action.accept":    {"接受邀请", "accept the invitation"},
		"membership_action.decline":   {"拒绝邀请", "decline the invitation"},
		"membership_action.leave":     {"退出", "leave"},
		"membership_action.suspend":   {"暂停会员资格", "suspend the membership"},
		"membership_action.reinstate": {"恢复会员资格", "reinstate the membership"},
		"membership_action.end":       {"终止会员资格", "end the membership"},
		"membership_action.withdraw":  {"撤回邀请", "withdraw the invitation"},
		"membership_action.reinvite":  {"重新邀请", "invite again"},

		"membership_button.accept":    {"接受", "Accept"},
		"membership_button.decline":   {"拒绝", "Decline"},
		"membership_button.leave":     {"退出该组织", "Leave"},
		"membership_button.suspend":   {"暂停", "Suspend"},
		"membership_button.reinstate": {"恢复", "Reinstate"},
		"membership_button.end":       {"终止", "End"},
		"membership_button.withdraw":  {"撤回邀请", "Withdraw invitation"},
		"membership_button.reinvite":  {"重新邀请", "Invite again"},

		"members.invited_on":        {"%s 发出邀请", "invited %s"},
		"members.answered_on":       {"%s 答复", "answered %s"},
		"members.action":            {"操作", "Action"},
		"members.no_action":         {"无（等待商户答复前可撤回）", "None"},
		"members.consent_note":      {"添加已登记的商户会向其发出入会邀请：商户在自己的控制台接受后，会员关系才在公开页面显示。您自己登记的新商户立即成为会员。", "Adding a vendor that is already registered sends it an invitation: the membership shows on public pages only after the vendor accepts it in its console. A new vendor you register yourself is a member at once."},
		"done.member_invited":       {"“%s”已登记过：已向其发出入会邀请，商户接受后会员关系才会公开。", "%s is already registered: it has been invited, and the membership becomes public once it accepts."},
		"done.member_no_login":      {"“%s”已登记过：已向其发出入会邀请。该商户还没有控制台账号，已请监管部门向其发放登录邀请；商户接受后会员关系才会公开。", "%s is already registered: it has been invited. It has no console login yet, so the regulator has been asked to issue one; the membership becomes public once the vendor accepts."},
		"done.member_pending":       {"已向“%s”发出过邀请，正在等待其答复。", "%s has already been invited and has not answered yet."},
		"done.member_exists":        {"“%s”已在会员名单中（%s）。", "%s is already on your member list (%s)."},
		"import.no_login":           {"以下已登记商户还没有控制台账号，已请监管部门向其发放登录邀请：", "These registered vendors have no console login yet; the regulator has been asked to issue their login invitations:"},
		"done.membership_suspend":   {"会员资格已暂停，不再公开显示。", "The membership is suspended and no longer public."},
		"done.membership_reinstate": {"会员资格已恢复。", "The membership is reinstated."},
		"done.membership_end":       {"会员资格已终止。", "The membership has ended."},
		"done.membership_withdraw":  {"邀请已撤回。", "The invitation is withdrawn."},
		"done.membership_reinvite":  {"已重新发出邀请，等待商户答复。", "The vendor is invited again and has to accept."},
		"done.membership_accept":    {"已接受邀请：会员关系现已公开显示。", "Invitation accepted: the membership is now public."},
		"done.membership_decline":   {"已拒绝邀请，不会公开显示。", "Invitation declined; nothing is shown publicly."},
		"done.membership_leave":     {"已退出该组织，公开页面不再显示此会员关系。", "You have left; public pages no longer show this membership."},

		"nav.my_memberships":      {"会员资格", "Memberships"},
		"mymembers.title":         {"会员资格", "Memberships"},
		"mymembers.lead":          {"行业组织邀请贵单位入会时会显示在这里。只有您接受的会员关系才会显示在公开页面上；您可以随时退出任何组织。", "Associations that invite you to join are listed here. Only memberships you accept are shown on public pages, and you can leave any of them at any time."},
		"mymembers.invitations":   {"待答复的入会邀请", "Invitations waiting for your answer"},
		"mymembers.no_invites":    {"没有待答复的邀请。", "No invitations waiting."},
		"mymembers.current":       {"会员关系", "Memberships"},
		"mymembers.none":          {"未加入任何协会或组织。", "Not a member of any organisation."},
		"mymembers.invite_text":   {"“%s”邀请贵单位成为会员（%s）。", "%s invites you to become a member (%s)."},
		"mymembers.public_note":   {"接受后，此会员关系会显示在贵单位的公开信用页面和该组织的页面上。", "Once you accept, the membership shows on your public profile and on the organisation's page."},
		"mymembers.pending_count": {"您有 %d 个入会邀请待答复。", "You have %d membership invitations waiting for your answer."},
		"mymembers.review":        {"查看并答复", "Review and answer"},
		"mymembers.manage":        {"管理会员资格", "Manage memberships"},
		"mymembers.org":           {"组织", "Organisation"},
		"mymembers.status":        {"状态", "Status"},
		"mymembers.period":        {"期间", "Period"},

		"inbox.membership_invited":  {"“%s”邀请贵单位成为会员。接受前，此会员关系不会公开；请在“会员资格”页面接受或拒绝。", "%s invited you to become a member. It is not public until you accept; accept or decline it on the Memberships page."},
		"inbox.membership_no_login": {"“%s”邀请商户 %s 入会，但该商户还没有控制台账号，无法答复：请为其发放登录邀请。", "%s invited vendor %s to join, but the vendor has no console login to answer with: please issue its login invitation."},
	})
}
