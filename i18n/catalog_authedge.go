package i18n

// Sign-in throttling, invitations, disabled users, error pages.
func init() {
	add(map[string][2]string{
		"error.conflict":    {"操作与当前状态冲突，请刷新页面后再试。", "This conflicts with the current state; reload the page and try again."},
		"error.unavailable": {"服务繁忙，请稍后再试。", "The service is busy; try again shortly."},
		"error.title.409":   {"状态冲突", "Conflict"},
		"error.title.503":   {"服务繁忙", "Busy"},
		"login.slowed":      {"此账号近期登录失败次数较多，已放慢登录：请 %d 秒后再试。曾在本浏览器成功登录的用户不受影响。", "This account has had many failed sign-ins recently, so sign-ins are slowed: try again in %d seconds. Browsers that signed in to it before are not slowed."},
		"login.busy":        {"登录人数较多，请稍后再试。", "Many people are signing in; try again in a moment."},
		"error.upload_busy": {"您已有两个文件正在上传或校验，请等其完成后再上传。", "You already have two uploads being checked; wait until they finish, then upload again."},
	})
}
