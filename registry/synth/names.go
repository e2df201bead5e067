package synth

// Fictional name parts: synthetic data never uses real company names.
var (
	words = []string{"安心", "福满", "洁亮", "益家", "康宁", "暖阳", "巧手", "惠邻", "邻里", "海河", "好帮", "佳美",
		"顺心", "诚悦", "雅洁", "贴心", "德善", "乐居", "恒信", "馨安", "宜家", "如意", "金勺", "彩虹", "晨光", "和美", "春晖", "清源"}
	trades = map[string]string{
		"housekeeping": "家政服务", "cleaning": "保洁服务", "maternity": "母婴护理", "nanny": "育婴服务",
		"eldercare": "养老护理", "appliance_repair": "家电维修", "appliance_cleaning": "家电清洗", "plumbing": "管道疏通",
		"locksmith": "开锁服务", "moving": "搬家服务", "home_repair": "家居维修", "laundry": "洗衣服务", "pest_control": "有害生物防治",
	}
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "胡", "朱", "郭"}
	given    = []string{"建国", "秀英", "桂兰", "志强", "丽娜", "海燕", "伟", "静", "磊", "敏", "洋", "婷", "军", "芳", "勇", "艳"}
	streets  = []string{"友谊路", "南京路", "卫津路", "黄河道", "红旗路", "津塘路", "中山路", "解放南路", "复康路", "西青道", "咸阳路", "光华路"}
	orgSpecs = []struct{ Name, Kind string }{
		{"天津市家庭服务业协会（演示）", "association"}, {"天津市家政服务行业商会（演示）", "chamber"},
		{"河西区家政服务协会（演示）", "association"}, {"南开区社区服务联合会（演示）", "community"},
		{"滨海新区家庭服务协会（演示）", "association"}, {"天津市家电维修行业协会（演示）", "association"},
		{"和平区便民服务中心（演示）", "community"}, {"津门家政职业介绍所（演示）", "intermediary"},
	}
	summaries = []string{
		"服务人员迟到约一小时，未提前告知（演示数据）",
		"保洁不彻底，厨房油污未处理（演示数据）",
		"收费与约定不一致，多收上门费（演示数据）",
		"服务过程中损坏家具，协商赔偿（演示数据）",
		"预约后无人上门，联系电话13800000000无人接听（演示数据）",
		"服务态度差，与老人发生争执（演示数据）",
		"维修后故障复发，要求返修（演示数据）",
	}
)
