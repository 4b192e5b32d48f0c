// Code generated from emrtd/check/wording.go by "go test ./web -run TestClientWords -update". DO NOT EDIT.
//
// The words for people about a verification, in Vietnamese and English:
// titles of the checks, sentences keyed by stable reason codes and check
// names, the verdict's headlines. It is the agent's own table
// (emrtd/check.Wording); messages.js looks words up in it exactly as the
// agent does (client/test/words.test.js checks that against vectors the
// agent wrote).

export const WORDS = {
  "titles": {
    "access.key.consistency": {
      "vi": "Khớp mã đã nhập",
      "en": "Matches the key entered"
    },
    "access.protocol": {
      "vi": "Cách mở chip đúng như chip khai",
      "en": "Chip opened as its signed data says"
    },
    "active.authentication": {
      "vi": "Chip gốc (xác thực chủ động)",
      "en": "Original chip (active authentication)"
    },
    "cardaccess.consistency": {
      "vi": "Thông tin truy cập khớp dữ liệu đã ký",
      "en": "Access information matches the signed data"
    },
    "challenge": {
      "vi": "Đọc cho lần kiểm tra này",
      "en": "Read for this verification"
    },
    "chip.authentication": {
      "vi": "Chip gốc (xác thực chip)",
      "en": "Original chip (chip authentication)"
    },
    "com.consistency": {
      "vi": "Danh mục dữ liệu khớp dữ liệu đã ký",
      "en": "File list matches the signed data"
    },
    "dg.hash": {
      "vi": "Nhóm dữ liệu {dg}",
      "en": "Data group {dg}"
    },
    "dg.hash.DG1": {
      "vi": "Dòng MRZ (số giấy tờ, họ tên, ngày)",
      "en": "MRZ (number, name, dates)"
    },
    "dg.hash.DG11": {
      "vi": "Thông tin cá nhân bổ sung",
      "en": "Additional personal details"
    },
    "dg.hash.DG12": {
      "vi": "Thông tin giấy tờ bổ sung",
      "en": "Additional document details"
    },
    "dg.hash.DG13": {
      "vi": "Thông tin cá nhân (họ tên, địa chỉ…)",
      "en": "Personal data (name, address…)"
    },
    "dg.hash.DG14": {
      "vi": "Khóa bảo mật của chip",
      "en": "Chip security keys"
    },
    "dg.hash.DG15": {
      "vi": "Khóa chống sao chép",
      "en": "Anti-cloning key"
    },
    "dg.hash.DG2": {
      "vi": "Ảnh chân dung",
      "en": "Photo"
    },
    "dg.hash.DG3": {
      "vi": "Vân tay",
      "en": "Fingerprints"
    },
    "ds.chain": {
      "vi": "Cơ quan cấp",
      "en": "Issuing authority"
    },
    "ds.country": {
      "vi": "Nước cấp",
      "en": "Issuing country"
    },
    "ds.profile": {
      "vi": "Hồ sơ chứng chỉ ký",
      "en": "Signing certificate profile"
    },
    "ds.revocation": {
      "vi": "Thu hồi chứng chỉ ký",
      "en": "Signing certificate revocation"
    },
    "ds.validity": {
      "vi": "Thời hạn chứng chỉ ký",
      "en": "Signing certificate validity"
    },
    "mrz.check_digits": {
      "vi": "Số kiểm tra của MRZ",
      "en": "MRZ check digits"
    },
    "mrz.dg13.consistency": {
      "vi": "MRZ khớp thông tin cá nhân",
      "en": "MRZ matches the personal data"
    },
    "sod.signature": {
      "vi": "Chữ ký số của dữ liệu",
      "en": "Digital signature of the data"
    }
  },
  "statuses": {
    "FAIL": {
      "vi": "Không đạt",
      "en": "Failed"
    },
    "NOT_SUPPORTED": {
      "vi": "Giấy tờ không hỗ trợ",
      "en": "Not supported"
    },
    "PASS": {
      "vi": "Đạt",
      "en": "Passed"
    },
    "PENDING": {
      "vi": "Chưa kết luận",
      "en": "Not final yet"
    },
    "SKIPPED": {
      "vi": "Bỏ qua",
      "en": "Skipped"
    },
    "UNKNOWN": {
      "vi": "Chưa quyết định được",
      "en": "Undecided"
    },
    "WARN": {
      "vi": "Đạt, có lưu ý",
      "en": "Passed with a caveat"
    }
  },
  "reasons": {
    "ALGORITHM_MISMATCH": {
      "vi": "Các thuật toán trong chữ ký số không khớp nhau: dữ liệu có thể đã bị làm giả.",
      "en": "The algorithms named in the digital signature disagree: the data may be forged."
    },
    "ALGORITHM_UNSUPPORTED": {
      "vi": "Giấy tờ dùng thuật toán mà máy này chưa kiểm tra được.",
      "en": "The document uses an algorithm this computer cannot check."
    },
    "CAN_MISMATCH": {
      "vi": "CAN đã nhập không phải 6 số cuối của số định danh.",
      "en": "The CAN entered is not the last six digits of the ID number."
    },
    "CAN_NOT_IN_MRZ": {
      "vi": "Không áp dụng: CAN in trên giấy tờ, không có trong dữ liệu chip.",
      "en": "Not applicable: the CAN is printed on the document, not held in its data."
    },
    "CARDACCESS_MISMATCH": {
      "vi": "Thông số truy cập của chip khác với phần được ký: chip đã bị can thiệp hoặc là chip SAO CHÉP.",
      "en": "The chip's access settings differ from what was signed: the chip was tampered with or is a CLONE."
    },
    "CARDACCESS_MISSING": {
      "vi": "Không đọc được thông số truy cập của chip, dù giấy tờ có giao thức an toàn: có thể có thiết bị chen giữa.",
      "en": "The chip's access settings could not be read, though the document has the secure protocol: a device may be in between."
    },
    "CARDACCESS_NOT_SIGNED": {
      "vi": "Thông số truy cập của chip không được ký nên chưa được xác nhận.",
      "en": "The chip's access settings are not signed, so they are unconfirmed."
    },
    "CARDACCESS_NOT_VERIFIED": {
      "vi": "Chưa so được thông số truy cập với phần được ký (xem các mục khác).",
      "en": "The access settings could not be compared with the signed data (see the other checks)."
    },
    "CHAIN_BROKEN": {
      "vi": "Chứng chỉ ký không do cơ quan cấp đáng tin cậy phát hành.",
      "en": "The signing certificate was not issued by a trusted authority."
    },
    "CHALLENGE_MISMATCH": {
      "vi": "Chip đã ký mã thử của một lần đọc khác: dữ liệu không phải của lần đọc này.",
      "en": "The chip signed another read's challenge: the data is not from a read made for this verification."
    },
    "CHALLENGE_NOT_SIGNED": {
      "vi": "Không chứng minh được dữ liệu đến từ lần đọc này (chip không ký mã thử): có thể là bản ghi lại.",
      "en": "The data is not shown to come from a read made for this verification (the chip signed no challenge): it could be a recording."
    },
    "CHALLENGE_SIGNED": {
      "vi": "Chip đã ký mã thử của lần kiểm tra này: dữ liệu đến từ lần đọc vừa rồi.",
      "en": "The chip signed this verification's challenge: the data comes from a read made for it."
    },
    "CHECK_DIGIT_MISMATCH": {
      "vi": "Số kiểm tra trong MRZ sai: dữ liệu MRZ có thể đã bị sửa.",
      "en": "An MRZ check digit is wrong: the MRZ data may have been altered."
    },
    "COM_MISMATCH": {
      "vi": "Danh mục dữ liệu (không được ký) khác với phần được ký; đã đọc theo phần được ký.",
      "en": "The (unsigned) list of data groups differs from the signed one; the signed one was followed."
    },
    "COM_MISSING": {
      "vi": "Chip không có danh mục dữ liệu; đã đọc theo phần được ký.",
      "en": "The chip has no list of data groups; the signed one was followed."
    },
    "CONTENT_TYPE_MISMATCH": {
      "vi": "Dữ liệu bảo mật của chip không khớp với phần được ký: không chứng minh được giấy tờ là thật.",
      "en": "The chip's security data does not match what was signed: the document cannot be proven genuine."
    },
    "COUNTRY_MISMATCH": {
      "vi": "Người ký thuộc nước khác với nước cấp giấy tờ.",
      "en": "The signer belongs to another country than the issuer."
    },
    "CRL_OUTDATED": {
      "vi": "Danh sách thu hồi trên máy này đã cũ: cần cập nhật.",
      "en": "The revocation list on this computer is outdated: it needs an update."
    },
    "CSCA_KEY_USAGE_MISSING": {
      "vi": "Chứng chỉ gốc không ghi mục đích sử dụng (lỗi nhỏ của nơi cấp).",
      "en": "The root certificate does not state its key usage (a small fault of the issuer)."
    },
    "CSCA_NOT_CERT_SIGNER": {
      "vi": "Chứng chỉ gốc không được phép cấp chứng chỉ ký: không chấp nhận.",
      "en": "The root certificate may not issue signing certificates: do not accept."
    },
    "CSCA_NOT_MARKED_CA": {
      "vi": "Chứng chỉ gốc không được đánh dấu là cơ quan cấp (lỗi nhỏ của nơi cấp).",
      "en": "The root certificate is not marked as an authority (a small fault of the issuer)."
    },
    "CSCA_NOT_TRUSTED": {
      "vi": "Chứng chỉ gốc của nơi cấp chưa có trong danh sách tin cậy của máy này: giấy tờ có thể thật nhưng chưa chứng minh được.",
      "en": "The issuer's root certificate is not in this computer's trust list: the document may be genuine but cannot be proven."
    },
    "CSCA_NOT_VALID_AT_SIGNING": {
      "vi": "Chứng chỉ gốc không còn hiệu lực khi giấy tờ được ký.",
      "en": "The root certificate was not valid when the document was signed."
    },
    "DG13_ABSENT": {
      "vi": "Không áp dụng: giấy tờ không có thông tin cá nhân kiểu căn cước (DG13).",
      "en": "Not applicable: the document holds no ID-card personal data (DG13)."
    },
    "DG1_ABSENT": {
      "vi": "Chưa kiểm tra: không đọc được dòng MRZ (DG1).",
      "en": "Not checked: the MRZ data (DG1) was not read."
    },
    "DIGEST_MISMATCH": {
      "vi": "Danh sách dấu kiểm tra đã bị sửa sau khi ký: dữ liệu đã bị can thiệp.",
      "en": "The list of data hashes was changed after signing: the data was tampered with."
    },
    "DS_EXPIRED": {
      "vi": "Chứng chỉ ký nay đã hết hạn (bình thường với giấy tờ cấp đã lâu).",
      "en": "The signing certificate has expired since (normal for older documents)."
    },
    "DS_IS_CSCA": {
      "vi": "Giấy tờ được ký bằng chính khóa của chứng chỉ gốc, không phải bằng chứng chỉ ký: không chấp nhận.",
      "en": "The document was signed with the root certificate's own key, not by a signing certificate: do not accept."
    },
    "DS_KEY_USAGE_INVALID": {
      "vi": "Chứng chỉ ký không được phép dùng để ký dữ liệu: không chấp nhận.",
      "en": "The signing certificate may not sign data: do not accept."
    },
    "DS_KEY_USAGE_MISSING": {
      "vi": "Chứng chỉ ký không ghi mục đích sử dụng (lỗi nhỏ của nơi cấp).",
      "en": "The signing certificate does not state its key usage (a small fault of the issuer)."
    },
    "DS_NOT_FOUND": {
      "vi": "Không tìm thấy chứng chỉ của người ký: chưa kiểm tra được chữ ký.",
      "en": "The signer's certificate was not found: the signature could not be checked."
    },
    "DS_NOT_YET_VALID": {
      "vi": "Chứng chỉ ký chưa có hiệu lực.",
      "en": "The signing certificate is not valid yet."
    },
    "DS_REVOKED": {
      "vi": "Chứng chỉ ký đã bị THU HỒI: không chấp nhận giấy tờ này.",
      "en": "The signing certificate has been REVOKED: do not accept this document."
    },
    "FILE_PROTECTED": {
      "vi": "Chip không cho đọc phần này nên chưa được kiểm tra.",
      "en": "The chip refused this part, so it was not checked."
    },
    "HASH_MISSING": {
      "vi": "Dữ liệu bảo mật không có dấu kiểm tra cho phần này: không chứng minh được.",
      "en": "The security data holds no hash for this part: it cannot be proven."
    },
    "ID12_DOCUMENT_NUMBER_MISMATCH": {
      "vi": "Số giấy tờ trong MRZ không phải 9 số cuối của số định danh: dữ liệu không nhất quán.",
      "en": "The MRZ document number is not the last nine digits of the ID number: the data is inconsistent."
    },
    "ID_NUMBER_MISMATCH": {
      "vi": "Số định danh trong MRZ khác với thông tin cá nhân: dữ liệu không nhất quán.",
      "en": "The ID number in the MRZ differs from the personal data: the data is inconsistent."
    },
    "KEY_NOT_SIGNED": {
      "vi": "Chip chứng minh một khóa không phải của giấy tờ: đây là chip SAO CHÉP.",
      "en": "The chip proved a key that is not the document's: this is a CLONED chip."
    },
    "KEY_NOT_VERIFIED": {
      "vi": "Chip có khóa, nhưng khóa đó chưa được chứng minh là của giấy tờ gốc (xem các mục khác).",
      "en": "The chip holds a key, but that key is not proven to be the original document's (see the other checks)."
    },
    "KEY_TYPE_UNSUPPORTED": {
      "vi": "Loại mã này không so được với dữ liệu chip.",
      "en": "This kind of key cannot be compared with the chip's data."
    },
    "LISTED_FILE_ABSENT": {
      "vi": "Chip nói không có phần này, dù dữ liệu được ký ghi là có: chip đã bị can thiệp.",
      "en": "The chip says it lacks this part, though its signed data lists it: the chip has been tampered with."
    },
    "NOTHING_TO_COMPARE": {
      "vi": "Thông tin cá nhân không có số định danh hay ngày tháng để so với MRZ.",
      "en": "The personal data holds no ID number or date to compare with the MRZ."
    },
    "NOT_PROVEN": {
      "vi": "Giấy tờ này không có cách chống sao chép: không chứng minh được chip là chip gốc. Hãy kiểm tra giấy tờ bằng mắt.",
      "en": "This document has no anti-cloning protection: the chip cannot be proven original. Check the document by eye."
    },
    "NOT_READ": {
      "vi": "Phần này không đọc được nên chưa được kiểm tra.",
      "en": "This part could not be read, so it was not checked."
    },
    "NOT_REQUESTED": {
      "vi": "Kiểm tra này không được yêu cầu.",
      "en": "This check was not asked for."
    },
    "NOT_SHOWN": {
      "vi": "Chip có khóa chống sao chép nhưng dữ liệu gửi lên không có bằng chứng chip gốc.",
      "en": "The chip has an anti-cloning key, but the evidence shows no proof of the original chip."
    },
    "NOT_SUPPORTED": {
      "vi": "Giấy tờ không hỗ trợ kiểm tra này.",
      "en": "The document does not support this check."
    },
    "NO_ACCESS_KEY": {
      "vi": "Chưa kiểm tra: không có mã mở chip.",
      "en": "Not checked: no access key was used."
    },
    "NO_CRL": {
      "vi": "Máy này chưa có danh sách thu hồi của nơi cấp: chưa kiểm tra được việc thu hồi.",
      "en": "This computer has no revocation list of the issuer: revocation was not checked."
    },
    "NO_CSCA": {
      "vi": "Chưa kiểm tra: chứng chỉ gốc của nơi cấp chưa được tin cậy.",
      "en": "Not checked: the issuer's root certificate is not trusted."
    },
    "NO_DS": {
      "vi": "Chưa kiểm tra: thiếu chứng chỉ của người ký.",
      "en": "Not checked: the signer's certificate is missing."
    },
    "NO_ISSUING_STATE": {
      "vi": "Giấy tờ không ghi nước cấp.",
      "en": "The document does not name its issuing country."
    },
    "NO_PACE": {
      "vi": "Chip không có giao thức an toàn PACE (giấy tờ đời cũ).",
      "en": "The chip has no PACE secure protocol (an older document)."
    },
    "NO_SIGNED_ATTRIBUTES": {
      "vi": "Chữ ký số không theo chuẩn giấy tờ điện tử (không ký các thuộc tính): không chứng minh được dữ liệu.",
      "en": "The digital signature does not follow the e-document standard (no signed attributes): the data cannot be proven."
    },
    "OTHER_SIGNER_INVALID": {
      "vi": "Một chữ ký hợp lệ, nhưng dữ liệu còn một chữ ký khác không hợp lệ.",
      "en": "One signature is valid, but the data carries another signature that is not."
    },
    "PACE_NOT_SIGNED": {
      "vi": "Chip được mở bằng thông số PACE không có trong phần được ký.",
      "en": "The chip was opened with PACE settings its signed data does not list."
    },
    "PACE_NOT_USED": {
      "vi": "Giấy tờ có giao thức an toàn PACE nhưng chip được mở bằng giao thức cũ yếu hơn (BAC): có thể do thiết bị chen giữa.",
      "en": "The document has the PACE secure protocol, but the chip was opened with the weaker old one (BAC): possibly a device in between."
    },
    "PARTIAL_DATE": {
      "vi": "Khớp ở phần ngày tháng có ghi (thẻ chỉ ghi một phần ngày sinh).",
      "en": "They agree where the date is known (the card holds a partial date)."
    },
    "PENDING": {
      "vi": "Đang đọc, sẽ kiểm tra ngay sau đó.",
      "en": "Being read; checked next."
    },
    "PROTOCOL_ERROR": {
      "vi": "Chip không hoàn tất bước kiểm tra: hãy đọc lại.",
      "en": "The chip did not complete the check: read it again."
    },
    "REQUIRED_NOT_RUN": {
      "vi": "Giấy tờ có khóa chống sao chép nhưng chip không chứng minh được là chip gốc: có thể là chip SAO CHÉP.",
      "en": "The document has an anti-cloning key, but the chip did not prove it is the original: it may be a CLONED chip."
    },
    "SIGNATURE_MISSING": {
      "vi": "Chip có khóa xác thực chủ động nhưng dữ liệu gửi lên không có chữ ký của chip.",
      "en": "The chip has an active-authentication key, but the evidence carries no signature of the chip."
    },
    "SIGNED_ATTRIBUTE_MISSING": {
      "vi": "Chữ ký số thiếu thuộc tính bắt buộc: không chứng minh được dữ liệu.",
      "en": "The digital signature lacks a required attribute: the data cannot be proven."
    },
    "SIGNED_OUTSIDE_KEY_USAGE_PERIOD": {
      "vi": "Giấy tờ được ký ngoài thời gian được phép dùng khóa ký.",
      "en": "The document was signed outside the signing key's usage period."
    },
    "SIGNED_OUTSIDE_VALIDITY": {
      "vi": "Giấy tờ được ký khi chứng chỉ ký đã hết hạn hoặc chưa có hiệu lực.",
      "en": "The document was signed while its signing certificate was expired or not yet valid."
    },
    "SOD_MALFORMED": {
      "vi": "Dữ liệu bảo mật của chip bị hỏng: không chứng minh được giấy tờ là thật.",
      "en": "The chip's security data is malformed: the document cannot be proven genuine."
    },
    "SOD_MISSING": {
      "vi": "Chip không có dữ liệu bảo mật (EF.SOD): không chứng minh được giấy tờ là thật.",
      "en": "The chip has no security data (EF.SOD): the document cannot be proven genuine."
    },
    "TEST_ANCHOR": {
      "vi": "Ký bằng chứng chỉ THỬ NGHIỆM của trình mô phỏng: không phải giấy tờ thật.",
      "en": "Signed with the simulator's TEST certificate: not a real document."
    },
    "UNCONFIRMED": {
      "vi": "Chưa xác nhận được chip gốc: chip không trả lời có bảo vệ.",
      "en": "The original chip could not be confirmed: the chip gave no protected answer."
    },
    "UNKNOWN_COUNTRY_CODE": {
      "vi": "Mã nước trên giấy tờ không hợp lệ.",
      "en": "The document's country code is not valid."
    },
    "UNPROTECTED_STATUS": {
      "vi": "Phần này bị từ chối bằng một câu trả lời không được bảo vệ (có thể do thiết bị chen giữa): chưa được kiểm tra.",
      "en": "This part was refused with an unprotected answer (possibly from a device in between): it was not checked."
    },
    "VERIFIED_AT_DESK_ONLY": {
      "vi": "Chip gốc chỉ được xác nhận tại quầy: máy chủ không tự kiểm tra lại được.",
      "en": "The original chip was confirmed at the desk only: the server cannot check it again."
    },
    "access.key.consistency BIRTH_DATE_MISMATCH": {
      "vi": "Ngày sinh trên chip khác với ngày đã nhập.",
      "en": "The birth date on the chip differs from the one entered."
    },
    "access.key.consistency DOCUMENT_NUMBER_MISMATCH": {
      "vi": "Số giấy tờ trên chip khác với số đã nhập.",
      "en": "The document number on the chip differs from the one entered."
    },
    "access.key.consistency EXPIRY_DATE_MISMATCH": {
      "vi": "Ngày hết hạn trên chip khác với ngày đã nhập.",
      "en": "The expiry date on the chip differs from the one entered."
    },
    "active.authentication KEY_MISMATCH": {
      "vi": "Chip không giữ khóa bí mật của giấy tờ: đây là chip SAO CHÉP.",
      "en": "The chip does not hold the document's secret key: this is a CLONED chip."
    },
    "active.authentication NOT_SUPPORTED": {
      "vi": "Chip này không có khóa xác thực chủ động.",
      "en": "This chip has no active-authentication key."
    },
    "active.authentication SIGNATURE_INVALID": {
      "vi": "Chip không ký được bằng khóa bí mật của giấy tờ: đây là chip SAO CHÉP (hoặc chip trả lời sai).",
      "en": "The chip could not sign with the document's secret key: a CLONED chip (or a faulty answer)."
    },
    "chip.authentication KEY_MISMATCH": {
      "vi": "Chip không chứng minh được là chip gốc: đây là chip SAO CHÉP.",
      "en": "The chip could not prove it is the original: this is a CLONED chip."
    },
    "chip.authentication NOT_SUPPORTED": {
      "vi": "Chip này không có khóa xác thực chip (thường gặp ở giấy tờ đời cũ).",
      "en": "This chip has no chip-authentication key (common on older documents)."
    },
    "dg.hash HASH_MISMATCH": {
      "vi": "ĐÃ BỊ SỬA sau khi cấp: giấy tờ đã bị can thiệp.",
      "en": "CHANGED after issue: the document has been tampered with."
    },
    "dg.hash SOD_MALFORMED": {
      "vi": "Không kiểm tra được: dữ liệu bảo mật của chip bị hỏng.",
      "en": "Not checkable: the chip's security data is malformed."
    },
    "dg.hash.DG2 HASH_MISMATCH": {
      "vi": "ẢNH ĐÃ BỊ THAY sau khi cấp: không phải ảnh của người được cấp.",
      "en": "The PHOTO WAS REPLACED after issue: it is not the holder's photo."
    },
    "mrz.dg13.consistency BIRTH_DATE_MISMATCH": {
      "vi": "Ngày sinh trong MRZ khác với thông tin cá nhân: dữ liệu không nhất quán.",
      "en": "The birth date in the MRZ differs from the personal data: the data is inconsistent."
    },
    "mrz.dg13.consistency EXPIRY_DATE_MISMATCH": {
      "vi": "Ngày hết hạn trong MRZ khác với thông tin cá nhân: dữ liệu không nhất quán.",
      "en": "The expiry date in the MRZ differs from the personal data: the data is inconsistent."
    },
    "sod.signature SIGNATURE_INVALID": {
      "vi": "Chữ ký số không hợp lệ: dữ liệu có thể đã bị làm giả.",
      "en": "The digital signature is invalid: the data may be forged."
    }
  },
  "checks": {
    "access.key.consistency PASS": {
      "vi": "Dữ liệu trên chip khớp với mã đã nhập.",
      "en": "The chip's data matches the key entered."
    },
    "access.protocol PASS": {
      "vi": "Chip được mở đúng cách mà dữ liệu đã ký của nó khai.",
      "en": "The chip was opened the way its signed data lists."
    },
    "active.authentication PASS": {
      "vi": "Chip chứng minh được nó giữ khóa bí mật của giấy tờ: không phải bản sao.",
      "en": "The chip proved it holds the document's secret key: not a copy."
    },
    "cardaccess.consistency PASS": {
      "vi": "Thông tin truy cập của chip khớp với dữ liệu đã ký.",
      "en": "The chip's access information matches its signed data."
    },
    "challenge PASS": {
      "vi": "Chip đã ký mã thử của lần kiểm tra này.",
      "en": "The chip signed this verification's challenge."
    },
    "chip.authentication PASS": {
      "vi": "Chip chứng minh được là chip gốc, không phải bản sao.",
      "en": "The chip proved it is the original, not a copy."
    },
    "com.consistency PASS": {
      "vi": "Danh mục dữ liệu của chip khớp với dữ liệu đã ký.",
      "en": "The chip's file list matches its signed data."
    },
    "dg.hash PASS": {
      "vi": "Không bị thay đổi kể từ khi cấp.",
      "en": "Unchanged since issue."
    },
    "ds.chain PASS": {
      "vi": "Được ký bởi cơ quan cấp đáng tin cậy.",
      "en": "Signed by a trusted issuing authority."
    },
    "ds.country PASS": {
      "vi": "Nước của người ký khớp với nước cấp.",
      "en": "The signer's country matches the issuing country."
    },
    "ds.profile PASS": {
      "vi": "Chứng chỉ ký và chứng chỉ gốc đúng chuẩn.",
      "en": "The signing and root certificates follow the standard."
    },
    "ds.revocation PASS": {
      "vi": "Chứng chỉ ký không bị thu hồi.",
      "en": "The signing certificate is not revoked."
    },
    "ds.validity PASS": {
      "vi": "Chứng chỉ ký còn hiệu lực khi giấy tờ được ký.",
      "en": "The signing certificate was valid when the document was signed."
    },
    "mrz.check_digits PASS": {
      "vi": "Các số kiểm tra trong MRZ đều đúng.",
      "en": "Every MRZ check digit is right."
    },
    "mrz.dg13.consistency PASS": {
      "vi": "Số định danh và ngày tháng trong MRZ khớp với thông tin cá nhân.",
      "en": "The ID number and dates in the MRZ match the personal data."
    },
    "sod.signature PASS": {
      "vi": "Dữ liệu trên chip có chữ ký số hợp lệ.",
      "en": "The chip's data carries a valid digital signature."
    }
  },
  "fallbacks": {
    "FAIL": {
      "vi": "Kiểm tra không đạt: không tin dữ liệu này.",
      "en": "The check failed: do not trust this data."
    },
    "NOT_SUPPORTED": {
      "vi": "Giấy tờ không hỗ trợ kiểm tra này.",
      "en": "The document does not support this check."
    },
    "PASS": {
      "vi": "Kiểm tra đạt.",
      "en": "The check passed."
    },
    "PENDING": {
      "vi": "Chưa có kết quả cuối cùng: đừng dựa vào mục này.",
      "en": "Not final yet: do not rely on it."
    },
    "SKIPPED": {
      "vi": "Kiểm tra này được bỏ qua.",
      "en": "This check was skipped."
    },
    "UNKNOWN": {
      "vi": "Không quyết định được kết quả kiểm tra này.",
      "en": "This check could not be decided."
    },
    "WARN": {
      "vi": "Đạt nhưng có lưu ý.",
      "en": "Passed with a caveat."
    }
  },
  "kinds": {
    "ALGORITHM_MISMATCH": "forged",
    "BIRTH_DATE_MISMATCH": "mismatch",
    "CARDACCESS_MISMATCH": "clone",
    "CHAIN_BROKEN": "untrusted",
    "CHALLENGE_MISMATCH": "replayed",
    "CHECK_DIGIT_MISMATCH": "mismatch",
    "CONTENT_TYPE_MISMATCH": "forged",
    "COUNTRY_MISMATCH": "untrusted",
    "CSCA_NOT_CERT_SIGNER": "untrusted",
    "CSCA_NOT_TRUSTED": "untrusted",
    "CSCA_NOT_VALID_AT_SIGNING": "expired",
    "DIGEST_MISMATCH": "edited",
    "DOCUMENT_NUMBER_MISMATCH": "mismatch",
    "DS_IS_CSCA": "untrusted",
    "DS_KEY_USAGE_INVALID": "untrusted",
    "DS_NOT_YET_VALID": "expired",
    "DS_REVOKED": "revoked",
    "EXPIRY_DATE_MISMATCH": "mismatch",
    "HASH_MISSING": "unproven",
    "ID12_DOCUMENT_NUMBER_MISMATCH": "mismatch",
    "ID_NUMBER_MISMATCH": "mismatch",
    "KEY_NOT_SIGNED": "clone",
    "LISTED_FILE_ABSENT": "edited",
    "NO_SIGNED_ATTRIBUTES": "unproven",
    "REQUIRED_NOT_RUN": "clone",
    "SIGNED_ATTRIBUTE_MISSING": "unproven",
    "SIGNED_OUTSIDE_VALIDITY": "expired",
    "SOD_MALFORMED": "unproven",
    "SOD_MISSING": "unproven",
    "TEST_ANCHOR": "untrusted",
    "active.authentication KEY_MISMATCH": "clone",
    "active.authentication SIGNATURE_INVALID": "clone",
    "chip.authentication KEY_MISMATCH": "clone",
    "dg.hash HASH_MISMATCH": "edited",
    "dg.hash.DG2 HASH_MISMATCH": "photo",
    "sod.signature SIGNATURE_INVALID": "forged"
  },
  "kindOrder": [
    "clone",
    "photo",
    "edited",
    "forged",
    "revoked",
    "expired",
    "untrusted",
    "replayed",
    "unproven",
    "mismatch"
  ],
  "headlines": {
    "FAIL": {
      "vi": "CẢNH BÁO: {doc} không vượt qua kiểm tra. Không dùng dữ liệu này.",
      "en": "WARNING: the {doc} failed a check. Do not use this data."
    },
    "FAIL clone": {
      "vi": "CẢNH BÁO: chip SAO CHÉP, không phải {doc} gốc. Không dùng dữ liệu này.",
      "en": "WARNING: CLONED chip, not the original {doc}. Do not use this data."
    },
    "FAIL edited": {
      "vi": "CẢNH BÁO: dữ liệu của {doc} đã bị SỬA sau khi cấp. Không dùng dữ liệu này.",
      "en": "WARNING: the {doc}'s data was CHANGED after issue. Do not use this data."
    },
    "FAIL expired": {
      "vi": "KHÔNG CHẤP NHẬN: {doc} được ký bằng chứng chỉ HẾT HẠN hoặc chưa có hiệu lực.",
      "en": "DO NOT ACCEPT: the {doc} was signed with an EXPIRED or not-yet-valid certificate."
    },
    "FAIL forged": {
      "vi": "CẢNH BÁO: chữ ký số của {doc} không hợp lệ: có thể là giấy tờ GIẢ. Không dùng dữ liệu này.",
      "en": "WARNING: the {doc}'s digital signature is invalid: it may be FORGED. Do not use this data."
    },
    "FAIL mismatch": {
      "vi": "CẢNH BÁO: dữ liệu trong chip KHÔNG NHẤT QUÁN. Không dùng dữ liệu này.",
      "en": "WARNING: the chip's data is INCONSISTENT. Do not use this data."
    },
    "FAIL photo": {
      "vi": "CẢNH BÁO: ảnh trong chip đã bị THAY. Không dùng dữ liệu này.",
      "en": "WARNING: the photo in the chip was REPLACED. Do not use this data."
    },
    "FAIL replayed": {
      "vi": "CẢNH BÁO: dữ liệu không đến từ lần đọc này (có thể là bản ghi lại). Không dùng dữ liệu này.",
      "en": "WARNING: the data does not come from this read (it may be a recording). Do not use this data."
    },
    "FAIL revoked": {
      "vi": "KHÔNG CHẤP NHẬN: chứng chỉ ký của {doc} đã bị THU HỒI.",
      "en": "DO NOT ACCEPT: the {doc}'s signing certificate has been REVOKED."
    },
    "FAIL unproven": {
      "vi": "CẢNH BÁO: chip không có dữ liệu bảo mật hợp lệ, không chứng minh được {doc} là thật. Không dùng dữ liệu này.",
      "en": "WARNING: the chip has no valid security data; the {doc} cannot be proven genuine. Do not use this data."
    },
    "FAIL untrusted": {
      "vi": "KHÔNG CHẤP NHẬN: {doc} không do cơ quan cấp đáng tin cậy ký.",
      "en": "DO NOT ACCEPT: the {doc} was not signed by a trusted issuing authority."
    },
    "PASS": {
      "vi": "Hợp lệ: {doc} thật, dữ liệu đã được xác minh",
      "en": "Valid: genuine {doc}, data verified"
    },
    "PASS test": {
      "vi": "Hợp lệ ({doc} thử nghiệm)",
      "en": "Valid (test {doc})"
    },
    "PASS test id-card": {
      "vi": "Hợp lệ (thẻ thử nghiệm)",
      "en": "Valid (test card)"
    },
    "PENDING": {
      "vi": "Đang kiểm tra tính xác thực… chưa kết luận",
      "en": "Checking authenticity… not decided yet"
    },
    "UNKNOWN": {
      "vi": "Chưa xác minh được {doc}: hãy kiểm tra giấy tờ bằng mắt.",
      "en": "The {doc} could not be verified: check it by eye."
    },
    "UNKNOWN untrusted": {
      "vi": "Chưa xác minh được: máy này chưa có chứng chỉ gốc của nơi cấp {doc}. Hãy kiểm tra giấy tờ bằng mắt.",
      "en": "Not verified: this computer lacks the root certificate of the {doc}'s issuer. Check it by eye."
    },
    "WARN": {
      "vi": "Hợp lệ, có lưu ý: {doc} thật, xem chi tiết bên dưới",
      "en": "Valid with a caveat: genuine {doc}, see the details below"
    },
    "WARN test": {
      "vi": "Hợp lệ ({doc} thử nghiệm), có lưu ý: xem chi tiết bên dưới",
      "en": "Valid (test {doc}) with a caveat: see the details below"
    },
    "WARN test id-card": {
      "vi": "Hợp lệ (thẻ thử nghiệm), có lưu ý: xem chi tiết bên dưới",
      "en": "Valid (test card) with a caveat: see the details below"
    }
  },
  "documents": {
    "": {
      "vi": "giấy tờ",
      "en": "document"
    },
    "id-card": {
      "vi": "thẻ căn cước",
      "en": "ID card"
    },
    "passport": {
      "vi": "hộ chiếu",
      "en": "passport"
    }
  },
  "testAnchor": {
    "vi": "Dữ liệu MÔ PHỎNG, ký bằng chứng chỉ thử nghiệm: không phải giấy tờ thật.",
    "en": "SIMULATED data signed with a test certificate: not a real document."
  }
};
