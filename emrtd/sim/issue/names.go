package issue

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Weighted tables of Vietnamese names. Weights follow the rough frequency of
// surnames in Vietnam (Nguyễn alone is close to 40%).
var surnames = []weighted{
	{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9}, {"Phạm", 7}, {"Hoàng", 5}, {"Huỳnh", 4},
	{"Phan", 4}, {"Vũ", 4}, {"Võ", 4}, {"Đặng", 2}, {"Bùi", 2}, {"Đỗ", 2},
	{"Hồ", 2}, {"Ngô", 2}, {"Dương", 1}, {"Lý", 1},
}

var (
	maleMiddle   = []string{"Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Gia", "Đình", "Ngọc", "Trung", "Quốc", "Tuấn"}
	femaleMiddle = []string{"Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mai", "Bích", "Phương", "Hồng", "Diệu", "Khánh", "Thùy"}
	maleGiven    = []string{"An", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khoa", "Khánh", "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Đông", "Lộc"}
	femaleGiven  = []string{"Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến", "Liên"}
)

var ethnicities = []weighted{{"Kinh", 85}, {"Tày", 2}, {"Thái", 2}, {"Mường", 2}, {"Khmer", 2}, {"Hoa", 2}, {"Nùng", 2}, {"H'Mông", 2}, {"Dao", 1}}

var religions = []weighted{{"Không", 78}, {"Phật giáo", 10}, {"Công giáo", 7}, {"Cao Đài", 2}, {"Tin Lành", 1}, {"Phật giáo Hòa Hảo", 2}}

var identifyingMarks = []string{
	"Nốt ruồi C:1cm trên trước mép trái",
	"Nốt ruồi C:2cm dưới sau đuôi mắt phải",
	"Sẹo chấm C:1,5cm trên trước đầu mày trái",
	"Sẹo chấm C:2cm dưới cằm",
	"Nốt ruồi C:1cm dưới trước cánh mũi phải",
	"Sẹo chấm C:3cm trên sau đuôi mày phải",
}

// province is an ID12 province code with a few of its districts and
// communes, enough to write plausible addresses.
type province struct {
	code      string
	name      string
	city      bool // a centrally governed city: Quận/Phường rather than Huyện/Xã
	districts []string
	wards     []string
}

var provinces = []province{
	{"001", "Hà Nội", true, []string{"Quận Ba Đình", "Quận Đống Đa", "Quận Cầu Giấy", "Quận Hai Bà Trưng", "Huyện Đông Anh"}, []string{"Phường Láng Hạ", "Phường Kim Mã", "Phường Dịch Vọng", "Phường Bạch Mai", "Xã Uy Nỗ"}},
	{"079", "Thành phố Hồ Chí Minh", true, []string{"Quận 1", "Quận 3", "Quận Bình Thạnh", "Quận Tân Bình", "Thành phố Thủ Đức"}, []string{"Phường Bến Nghé", "Phường Võ Thị Sáu", "Phường 25", "Phường 4", "Phường Thảo Điền"}},
	{"048", "Đà Nẵng", true, []string{"Quận Hải Châu", "Quận Sơn Trà", "Quận Thanh Khê"}, []string{"Phường Thạch Thang", "Phường An Hải Bắc", "Phường Chính Gián"}},
	{"031", "Hải Phòng", true, []string{"Quận Lê Chân", "Quận Ngô Quyền", "Huyện Thủy Nguyên"}, []string{"Phường An Biên", "Phường Máy Tơ", "Xã Lập Lễ"}},
	{"092", "Cần Thơ", true, []string{"Quận Ninh Kiều", "Quận Cái Răng"}, []string{"Phường An Hòa", "Phường Lê Bình"}},
	{"036", "Nam Định", false, []string{"Huyện Xuân Trường", "Huyện Hải Hậu", "Thành phố Nam Định"}, []string{"Xã Xuân Hồng", "Xã Hải Minh", "Phường Trần Hưng Đạo"}},
	{"038", "Thanh Hóa", false, []string{"Huyện Hoằng Hóa", "Huyện Quảng Xương", "Thành phố Thanh Hóa"}, []string{"Xã Hoằng Đạo", "Xã Quảng Nhân", "Phường Điện Biên"}},
	{"040", "Nghệ An", false, []string{"Huyện Nghi Lộc", "Huyện Diễn Châu", "Thành phố Vinh"}, []string{"Xã Nghi Thạch", "Xã Diễn Hoa", "Phường Lê Mao"}},
	{"046", "Thừa Thiên Huế", false, []string{"Thành phố Huế", "Huyện Phú Vang"}, []string{"Phường Vĩnh Ninh", "Xã Phú Thượng"}},
	{"056", "Khánh Hòa", false, []string{"Thành phố Nha Trang", "Huyện Diên Khánh"}, []string{"Phường Lộc Thọ", "Xã Diên Phú"}},
	{"089", "An Giang", false, []string{"Thành phố Long Xuyên", "Huyện Chợ Mới"}, []string{"Phường Mỹ Long", "Xã Kiến An"}},
	{"034", "Thái Bình", false, []string{"Huyện Vũ Thư", "Huyện Kiến Xương"}, []string{"Xã Tân Hòa", "Xã Quang Bình"}},
	{"066", "Đắk Lắk", false, []string{"Thành phố Buôn Ma Thuột", "Huyện Krông Pắc"}, []string{"Phường Tân Lợi", "Xã Ea Phê"}},
}

var streets = []string{"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Phan Chu Trinh", "Hoàng Diệu", "Quang Trung", "Điện Biên Phủ", "Nguyễn Du", "Bà Triệu", "Lạc Long Quân"}

type weighted struct {
	value  string
	weight int
}

// nfc normalises Vietnamese text to Unicode NFC, the form DG13 carries.
func nfc(s string) string { return norm.NFC.String(s) }

// upper upper-cases Vietnamese text keeping its diacritics, as the card
// prints names.
func upper(s string) string { return nfc(strings.ToUpper(s)) }

// mrzName turns a Vietnamese name into the MRZ alphabet: diacritics
// removed, Đ written D, upper case.
func mrzName(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'Đ' || r == 'đ':
			b.WriteByte('D')
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\'':
			b.WriteByte('<')
		}
	}
	return b.String()
}
