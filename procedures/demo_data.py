"""Demo data for `manage.py seed_demo`: three agencies in Ho Chi Minh City, their staff and a real catalogue.

Procedure codes, names, time limits, fees and legal bases follow the national database of administrative
procedures (Cơ sở dữ liệu quốc gia về thủ tục hành chính) as published by the ministries; provinces add
their own fee levels and internal steps, so the internal steps here are a plausible split, not law.
docs/ARCHITECTURE.md ("Demo catalogue: what is verified") says which facts were checked for late 2026 and which
are best effort. Check a code against csdl.dichvucong.gov.vn before using this list for anything but a demo.
"""
import datetime
from decimal import Decimal

from .models import AgencyLevel, CalendarException, TimeUnit
from .roles import Role

DEMO_PASSWORD = "MotCua@2026"
ADMIN_USERNAME = "admin"

COMMUNE = "000.00.26.H29"
PROVINCE = "000.00.12.H29"
POLICE = "000.00.30.H29"

# Each agency's form header is its own (Nghị định 30/2020/NĐ-CP, Điều 8 khoản 1 điểm b): a ward's is its People's
# Committee, a department's is the city's People's Committee over the department's own name. No agency is another's
# `parent` here: the ward does not report to the Sở Tư pháp, and the header never comes from `parent`.
AGENCIES = [
    {
        "code": COMMUNE,
        "name": "Ủy ban nhân dân phường Bến Thành",
        "governing_body": "",
        "header_name": "Ủy ban nhân dân\nphường Bến Thành",
        "document_symbol": "UBND",
        "place_name": "Bến Thành",
        "head_title": "Chủ tịch",
        # Nghị định 118/2025/NĐ-CP: the commune-level one-stop counter is the Trung tâm Phục vụ hành chính công.
        "counter_name": "Trung tâm Phục vụ hành chính công phường Bến Thành",
        "level": AgencyLevel.COMMUNE,
        "address": "92 Nguyễn Trãi, phường Bến Thành, Thành phố Hồ Chí Minh",
        "phone": "028 3832 5104",
        "email": "motcua.benthanh@example.gov.vn",
        "saturday_reception": True,
        "saturday_counts": False,
        # Shown to citizens who file online when a fee is due (illustrative account).
        "payment_details": "Tài khoản: Ủy ban nhân dân phường Bến Thành\nNgân hàng: Kho bạc Nhà nước khu vực II\n"
                           "Số tài khoản: 3511.0.1234567 (minh họa)\nNội dung: mã hồ sơ và họ tên người nộp",
        "departments": [
            "Trung tâm Phục vụ hành chính công",
            "Phòng Văn hóa – Xã hội",
            "Phòng Kinh tế, Hạ tầng và Đô thị",
            "Văn phòng HĐND và UBND phường",
        ],
    },
    {
        "code": PROVINCE,
        "name": "Sở Tư pháp Thành phố Hồ Chí Minh",
        "governing_body": "Ủy ban nhân dân Thành phố Hồ Chí Minh",
        "header_name": "Sở Tư pháp",
        "document_symbol": "STP",
        "place_name": "Thành phố Hồ Chí Minh",
        "head_title": "Giám đốc",
        "counter_name": "",
        "level": AgencyLevel.PROVINCE,
        "address": "141–143 Pasteur, phường Xuân Hòa, Thành phố Hồ Chí Minh",
        "phone": "028 3829 0230",
        "email": "motcua.stp@example.gov.vn",
        "saturday_reception": False,
        "saturday_counts": False,
        "departments": [
            "Bộ phận Tiếp nhận và Trả kết quả",
            "Phòng Hành chính tư pháp",
            "Phòng Bổ trợ tư pháp",
            "Văn phòng Sở",
        ],
    },
    {
        # The Luật sửa đổi, bổ sung một số điều của Luật Lý lịch tư pháp (passed 05/12/2025) moved judicial records to
        # the Ministry of Public Security: the certificate is no longer the Sở Tư pháp's (docs/ARCHITECTURE.md).
        "code": POLICE,
        "name": "Công an Thành phố Hồ Chí Minh",
        "governing_body": "Bộ Công an",
        "header_name": "Công an Thành phố Hồ Chí Minh",
        "document_symbol": "CATP",
        "place_name": "Thành phố Hồ Chí Minh",
        "head_title": "Giám đốc",
        "counter_name": "",
        "level": AgencyLevel.PROVINCE,
        "address": "268 Trần Hưng Đạo, phường Cầu Ông Lãnh, Thành phố Hồ Chí Minh",
        "phone": "028 3838 7300",
        "email": "motcua.catp@example.gov.vn",
        "saturday_reception": False,
        "saturday_counts": False,
        "departments": [
            "Bộ phận Tiếp nhận và Trả kết quả",
            "Phòng Hồ sơ nghiệp vụ",
            "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
            "Văn phòng Công an Thành phố",
        ],
    },
]

# One login per role and agency; every demo account shares DEMO_PASSWORD.
OFFICIALS = [
    {"username": "tiepnhan", "agency": COMMUNE, "role": Role.RECEPTION, "display_name": "Nguyễn Thị Lan",
     "title": "Công chức Trung tâm Phục vụ hành chính công", "department": "Trung tâm Phục vụ hành chính công"},
    {"username": "chuyenvien", "agency": COMMUNE, "role": Role.SPECIALIST, "display_name": "Trần Văn Minh",
     "title": "Công chức Phòng Văn hóa – Xã hội", "department": "Phòng Văn hóa – Xã hội"},
    {"username": "lanhdao", "agency": COMMUNE, "role": Role.LEADER, "display_name": "Lê Hoàng Nam",
     "title": "Phó Chủ tịch UBND phường", "department": "Văn phòng HĐND và UBND phường"},
    {"username": "quantri", "agency": COMMUNE, "role": Role.AGENCY_ADMIN, "display_name": "Phạm Thu Hà",
     "title": "Chuyên viên Văn phòng", "department": "Văn phòng HĐND và UBND phường"},
    {"username": "tiepnhan.so", "agency": PROVINCE, "role": Role.RECEPTION, "display_name": "Võ Ngọc Anh",
     "title": "Chuyên viên Bộ phận Tiếp nhận và Trả kết quả", "department": "Bộ phận Tiếp nhận và Trả kết quả"},
    {"username": "chuyenvien.so", "agency": PROVINCE, "role": Role.SPECIALIST, "display_name": "Đặng Quốc Bảo",
     "title": "Chuyên viên Phòng Hành chính tư pháp", "department": "Phòng Hành chính tư pháp"},
    {"username": "lanhdao.so", "agency": PROVINCE, "role": Role.LEADER, "display_name": "Huỳnh Thị Mai",
     "title": "Phó Giám đốc Sở", "department": "Văn phòng Sở"},
    {"username": "quantri.so", "agency": PROVINCE, "role": Role.AGENCY_ADMIN, "display_name": "Bùi Đức Thịnh",
     "title": "Chuyên viên Văn phòng Sở", "department": "Văn phòng Sở"},
    {"username": "tiepnhan.ca", "agency": POLICE, "role": Role.RECEPTION, "display_name": "Lý Thanh Tâm",
     "title": "Cán bộ Bộ phận Tiếp nhận và Trả kết quả", "department": "Bộ phận Tiếp nhận và Trả kết quả"},
    {"username": "chuyenvien.ca", "agency": POLICE, "role": Role.SPECIALIST, "display_name": "Mai Quốc Hưng",
     "title": "Cán bộ Phòng Hồ sơ nghiệp vụ", "department": "Phòng Hồ sơ nghiệp vụ"},
    {"username": "lanhdao.ca", "agency": POLICE, "role": Role.LEADER, "display_name": "Tạ Minh Khoa",
     "title": "Phó Giám đốc Công an Thành phố", "department": "Văn phòng Công an Thành phố"},
    {"username": "quantri.ca", "agency": POLICE, "role": Role.AGENCY_ADMIN, "display_name": "Hồ Ngọc Diệp",
     "title": "Cán bộ Văn phòng Công an Thành phố", "department": "Văn phòng Công an Thành phố"},
]

FIELDS = [
    ("HO-TICH", "Hộ tịch"),
    ("CHUNG-THUC", "Chứng thực"),
    ("HO-KINH-DOANH", "Thành lập và hoạt động của hộ kinh doanh"),
    ("DAT-DAI", "Đất đai"),
    ("XAY-DUNG", "Hoạt động xây dựng"),
    ("LY-LICH-TU-PHAP", "Lý lịch tư pháp"),
]

HOTICH_LAW = (
    "Luật Hộ tịch số 60/2014/QH13; Nghị định số 123/2015/NĐ-CP; Thông tư số 04/2020/TT-BTP; "
    "Thông tư số 85/2019/TT-BTC"
)
CHUNGTHUC_LAW = "Nghị định số 23/2015/NĐ-CP; Thông tư số 01/2020/TT-BTP; Thông tư số 226/2016/TT-BTC"


def steps(*rows: tuple[str, str, str]) -> list[tuple[int, str, str, Decimal]]:
    """Number the steps 1..n; rows are (name, role, duration)."""
    return [(order, name, role, Decimal(duration)) for order, (name, role, duration) in enumerate(rows, start=1)]


def same_day(work: str, sign: str) -> list:
    """Working hours of each step of a same-day procedure (TimeUnit.SAME_DAY): the legal "ngay trong ngày"."""
    return steps(
        ("Tiếp nhận, kiểm tra hồ sơ", Role.RECEPTION, "0.5"), (work, Role.SPECIALIST, "2"),
        (sign, Role.LEADER, "1"), ("Trả kết quả", Role.RECEPTION, "0.5"),
    )


def while_you_wait(work: str, sign: str) -> list:
    """Two working hours for certifications done while the citizen waits."""
    return steps(
        ("Tiếp nhận, đối chiếu bản chính", Role.RECEPTION, "0.5"), (work, Role.SPECIALIST, "0.5"),
        (sign, Role.LEADER, "0.5"), ("Trả kết quả, thu phí", Role.RECEPTION, "0.5"),
    )


def in_days(work: str, work_days: str, sign: str, sign_days: str) -> list:
    return steps(
        ("Tiếp nhận, kiểm tra hồ sơ", Role.RECEPTION, "0.5"), (work, Role.SPECIALIST, work_days),
        (sign, Role.LEADER, sign_days), ("Trả kết quả", Role.RECEPTION, "0.5"),
    )


REQUIRED, OPTIONAL = True, False

PROCEDURES = [
    {
        "code": "1.001193", "name": "Đăng ký khai sinh", "field": "HO-TICH", "level": AgencyLevel.COMMUNE,
        "agencies": [COMMUNE], "time_limit": Decimal(1), "time_unit": TimeUnit.SAME_DAY, "fee": Decimal(0),
        "fee_note": "Miễn lệ phí đăng ký khai sinh đúng hạn (Luật Hộ tịch, Điều 11); đăng ký quá hạn nộp lệ phí "
                    "theo mức Hội đồng nhân dân cấp tỉnh quy định.",
        "legal_basis": HOTICH_LAW, "result_document": "Giấy khai sinh (bản chính)",
        "steps": same_day("Kiểm tra, ghi Sổ đăng ký khai sinh", "Ký Giấy khai sinh"),
        "documents": [
            ("Tờ khai đăng ký khai sinh theo mẫu", 1, 0, REQUIRED),
            ("Giấy chứng sinh hoặc giấy tờ thay thế Giấy chứng sinh", 1, 0, REQUIRED),
            ("Văn bản ủy quyền có chứng thực (trường hợp ủy quyền đăng ký khai sinh)", 1, 0, OPTIONAL),
        ],
    },
    {
        "code": "1.000894", "name": "Đăng ký kết hôn", "field": "HO-TICH", "level": AgencyLevel.COMMUNE,
        "agencies": [COMMUNE], "time_limit": Decimal(1), "time_unit": TimeUnit.SAME_DAY, "fee": Decimal(0),
        "fee_note": "Miễn lệ phí đăng ký kết hôn của công dân Việt Nam cư trú ở trong nước (Luật Hộ tịch, Điều 11). "
                    "Trường hợp cần xác minh, thời hạn không quá 05 ngày làm việc.",
        "legal_basis": "Luật Hôn nhân và gia đình số 52/2014/QH13; " + HOTICH_LAW,
        "result_document": "Giấy chứng nhận kết hôn (mỗi bên một bản chính)",
        "steps": same_day("Kiểm tra điều kiện kết hôn, ghi Sổ đăng ký kết hôn", "Ký Giấy chứng nhận kết hôn"),
        "documents": [
            ("Tờ khai đăng ký kết hôn theo mẫu", 1, 0, REQUIRED),
            ("Giấy xác nhận tình trạng hôn nhân (khi đăng ký kết hôn ở nơi không phải nơi thường trú)", 1, 0, OPTIONAL),
        ],
    },
    {
        "code": "1.000656", "name": "Đăng ký khai tử", "field": "HO-TICH", "level": AgencyLevel.COMMUNE,
        "agencies": [COMMUNE], "time_limit": Decimal(1), "time_unit": TimeUnit.SAME_DAY, "fee": Decimal(0),
        "fee_note": "Miễn lệ phí đăng ký khai tử đúng hạn (Luật Hộ tịch, Điều 11). Trường hợp cần xác minh, "
                    "thời hạn không quá 03 ngày làm việc.",
        "legal_basis": HOTICH_LAW, "result_document": "Trích lục khai tử (bản chính)",
        "steps": same_day("Kiểm tra, ghi Sổ đăng ký khai tử", "Ký Trích lục khai tử"),
        "documents": [
            ("Tờ khai đăng ký khai tử theo mẫu", 1, 0, REQUIRED),
            ("Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử", 1, 0, REQUIRED),
        ],
    },
    {
        "code": "1.004873", "name": "Cấp Giấy xác nhận tình trạng hôn nhân", "field": "HO-TICH", "online": True,
        "level": AgencyLevel.COMMUNE, "agencies": [COMMUNE], "time_limit": Decimal(3),
        "time_unit": TimeUnit.WORKING_DAYS, "fee": Decimal(0),
        "fee_note": "Lệ phí theo mức Hội đồng nhân dân cấp tỉnh quy định; miễn cho người thuộc gia đình có công "
                    "với cách mạng, hộ nghèo, người khuyết tật.",
        "legal_basis": HOTICH_LAW, "result_document": "Giấy xác nhận tình trạng hôn nhân",
        "steps": in_days("Kiểm tra, xác minh tình trạng hôn nhân", "1.5", "Ký Giấy xác nhận", "0.5"),
        "documents": [
            ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu", 1, 0, REQUIRED),
            ("Bản án, quyết định ly hôn đã có hiệu lực (trường hợp đã ly hôn)", 0, 1, OPTIONAL),
            ("Giấy xác nhận tình trạng hôn nhân đã được cấp trước đây (trường hợp xin cấp lại)", 1, 0, OPTIONAL),
        ],
    },
    {
        "code": "1.004859",
        "name": "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
        "field": "HO-TICH", "level": AgencyLevel.COMMUNE, "agencies": [COMMUNE], "time_limit": Decimal(3),
        "time_unit": TimeUnit.WORKING_DAYS, "fee": Decimal(0),
        "fee_note": "Lệ phí theo mức Hội đồng nhân dân cấp tỉnh quy định.",
        "legal_basis": HOTICH_LAW, "result_document": "Trích lục thay đổi, cải chính, bổ sung hộ tịch",
        "steps": in_days("Thẩm tra căn cứ thay đổi, cải chính", "1.5", "Ký Trích lục", "0.5"),
        "documents": [
            ("Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch theo mẫu", 1, 0, REQUIRED),
            ("Giấy tờ làm căn cứ thay đổi, cải chính, bổ sung thông tin hộ tịch", 0, 1, REQUIRED),
        ],
    },
    {
        "code": "2.000635", "name": "Cấp bản sao Trích lục hộ tịch", "field": "HO-TICH",
        "level": AgencyLevel.COMMUNE, "agencies": [COMMUNE, PROVINCE], "time_limit": Decimal(2),
        "time_unit": TimeUnit.WORKING_HOURS, "fee": Decimal(8000),
        "fee_note": "8.000 đồng/bản sao Trích lục (phí khai thác, sử dụng thông tin trong Cơ sở dữ liệu hộ tịch).",
        "legal_basis": HOTICH_LAW, "result_document": "Bản sao Trích lục hộ tịch",
        "steps": while_you_wait("Tra cứu Sổ hộ tịch, in bản sao Trích lục", "Ký bản sao Trích lục"),
        "documents": [
            ("Tờ khai cấp bản sao Trích lục hộ tịch theo mẫu", 1, 0, REQUIRED),
            ("Văn bản ủy quyền (trường hợp ủy quyền)", 1, 0, OPTIONAL),
        ],
    },
    {
        "code": "2.000815",
        "name": "Cấp bản sao có chứng thực từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền "
                "của Việt Nam cấp hoặc chứng nhận",
        "field": "CHUNG-THUC", "level": AgencyLevel.COMMUNE, "agencies": [COMMUNE], "time_limit": Decimal(2),
        "time_unit": TimeUnit.WORKING_HOURS, "fee": Decimal(2000),
        "fee_note": "2.000 đồng/trang; từ trang thứ ba trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản "
                    "(Thông tư số 226/2016/TT-BTC). Nộp sau 15 giờ: trả trong ngày làm việc tiếp theo.",
        "legal_basis": CHUNGTHUC_LAW, "result_document": "Bản sao có chứng thực từ bản chính",
        "steps": while_you_wait("Đối chiếu, ghi lời chứng, vào sổ chứng thực", "Ký, đóng dấu chứng thực"),
        "documents": [
            ("Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao", 1, 0, REQUIRED),
            ("Bản sao cần chứng thực (trường hợp người yêu cầu tự chuẩn bị bản sao)", 0, 1, OPTIONAL),
        ],
    },
    {
        "code": "2.000884",
        "name": "Chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cho cả trường hợp chứng thực điểm chỉ "
                "và trường hợp người yêu cầu chứng thực không thể ký, không thể điểm chỉ được)",
        "field": "CHUNG-THUC", "level": AgencyLevel.COMMUNE, "agencies": [COMMUNE], "time_limit": Decimal(2),
        "time_unit": TimeUnit.WORKING_HOURS, "fee": Decimal(10000),
        "fee_note": "10.000 đồng/trường hợp (Thông tư số 226/2016/TT-BTC).",
        "legal_basis": CHUNGTHUC_LAW, "result_document": "Giấy tờ, văn bản đã được chứng thực chữ ký",
        "steps": while_you_wait("Ký trước mặt người thực hiện chứng thực, vào sổ", "Ký, đóng dấu chứng thực"),
        "documents": [
            ("Giấy tờ, văn bản mà người yêu cầu chứng thực sẽ ký", 1, 0, REQUIRED),
            ("Thẻ căn cước hoặc hộ chiếu còn giá trị sử dụng (xuất trình để đối chiếu)", 1, 0, REQUIRED),
        ],
    },
    {
        "code": "1.001612", "name": "Đăng ký thành lập hộ kinh doanh", "field": "HO-KINH-DOANH", "online": True,
        "level": AgencyLevel.COMMUNE, "agencies": [COMMUNE], "time_limit": Decimal(3),
        "time_unit": TimeUnit.WORKING_DAYS, "fee": Decimal(100000),
        "fee_note": "Lệ phí đăng ký hộ kinh doanh theo mức Hội đồng nhân dân cấp tỉnh quy định.",
        "legal_basis": "Luật Doanh nghiệp số 59/2020/QH14; Nghị định số 168/2025/NĐ-CP về đăng ký doanh nghiệp",
        "result_document": "Giấy chứng nhận đăng ký hộ kinh doanh",
        "steps": in_days("Kiểm tra tính hợp lệ, tên hộ kinh doanh", "1.5", "Ký Giấy chứng nhận", "0.5"),
        "documents": [
            ("Giấy đề nghị đăng ký hộ kinh doanh", 1, 0, REQUIRED),
            ("Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh (trường hợp các thành viên "
             "hộ gia đình cùng đăng ký)", 0, 1, OPTIONAL),
            ("Văn bản ủy quyền của thành viên hộ gia đình cho một thành viên làm chủ hộ kinh doanh", 0, 1, OPTIONAL),
        ],
    },
    {
        "code": "1.003003",
        "name": "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu "
                "tài sản gắn liền với đất lần đầu",
        "field": "DAT-DAI", "level": AgencyLevel.COMMUNE, "agencies": [COMMUNE], "time_limit": Decimal(20),
        "time_unit": TimeUnit.WORKING_DAYS, "fee": Decimal(100000),
        "fee_note": "Lệ phí cấp Giấy chứng nhận theo mức Hội đồng nhân dân cấp tỉnh quy định; nghĩa vụ tài chính "
                    "về đất đai theo thông báo của cơ quan thuế (thời gian thực hiện không tính vào thời hạn).",
        "legal_basis": "Luật Đất đai số 31/2024/QH15; Nghị định số 101/2024/NĐ-CP; Nghị định số 151/2025/NĐ-CP",
        "result_document": "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "steps": in_days("Kiểm tra hồ sơ, xác minh hiện trạng, trích đo địa chính", "15", "Ký Giấy chứng nhận", "4"),
        "documents": [
            ("Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu số 04/ĐK)", 1, 0, REQUIRED),
            ("Giấy tờ về quyền sử dụng đất (nếu có)", 0, 1, OPTIONAL),
            ("Mảnh trích đo bản đồ địa chính thửa đất (nếu có)", 1, 0, OPTIONAL),
            ("Chứng từ thực hiện nghĩa vụ tài chính, giấy tờ miễn, giảm (nếu có)", 0, 1, OPTIONAL),
        ],
    },
    {
        "code": "1.009994", "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "field": "XAY-DUNG",
        "level": AgencyLevel.COMMUNE, "agencies": [COMMUNE], "time_limit": Decimal(15),
        "time_unit": TimeUnit.WORKING_DAYS, "fee": Decimal(75000),
        "fee_note": "Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ theo mức Hội đồng nhân dân cấp tỉnh quy định.",
        "legal_basis": "Luật Xây dựng số 50/2014/QH13, sửa đổi, bổ sung bởi Luật số 62/2020/QH14; "
                       "Nghị định số 175/2024/NĐ-CP",
        "result_document": "Giấy phép xây dựng",
        "steps": in_days("Thẩm định hồ sơ, kiểm tra thực địa", "12", "Ký giấy phép xây dựng", "2"),
        "documents": [
            ("Đơn đề nghị cấp giấy phép xây dựng theo mẫu", 1, 0, REQUIRED),
            ("Giấy tờ chứng minh quyền sử dụng đất", 0, 1, REQUIRED),
            ("Bản vẽ thiết kế xây dựng (02 bộ)", 2, 0, REQUIRED),
        ],
    },
    {
        "code": "2.000488",
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        "field": "LY-LICH-TU-PHAP", "level": AgencyLevel.PROVINCE, "agencies": [POLICE],
        "time_limit": Decimal(10), "time_unit": TimeUnit.WORKING_DAYS, "fee": Decimal(200000),
        "fee_note": "200.000 đồng/lần/người; sinh viên, người có công với cách mạng, thân nhân liệt sĩ: 100.000 đồng; "
                    "từ Phiếu thứ 3 trở đi: 5.000 đồng/Phiếu (Thông tư số 244/2016/TT-BTC).",
        "legal_basis": "Luật Lý lịch tư pháp số 28/2009/QH12, được sửa đổi, bổ sung bởi Luật sửa đổi, bổ sung một "
                       "số điều của Luật Lý lịch tư pháp (Quốc hội thông qua ngày 05/12/2025) và văn bản quy định chi "
                       "tiết thay thế Nghị định số 111/2010/NĐ-CP; Thông tư số 244/2016/TT-BTC",
        "result_document": "Phiếu lý lịch tư pháp số 1 hoặc số 2",
        "steps": in_days("Tra cứu, xác minh thông tin lý lịch tư pháp", "7", "Ký Phiếu lý lịch tư pháp", "2"),
        "documents": [
            ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp theo mẫu", 1, 0, REQUIRED),
            ("Bản chụp Thẻ căn cước hoặc hộ chiếu của người được cấp Phiếu", 0, 1, REQUIRED),
            ("Văn bản ủy quyền (trường hợp ủy quyền yêu cầu cấp Phiếu số 1)", 1, 0, OPTIONAL),
        ],
    },
]

# 2026 civil-service swap announced by the Ministry of Home Affairs (not in the `holidays` package).
CALENDAR_SWAPS = [
    {"date": datetime.date(2026, 1, 2), "kind": CalendarException.Kind.DAY_OFF,
     "name": "Nghỉ bù Tết Dương lịch (hoán đổi)"},
    {"date": datetime.date(2026, 1, 10), "kind": CalendarException.Kind.WORKING_DAY,
     "name": "Làm bù cho ngày 02/01/2026"},
]
