from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Sign-in with a clear message for locked accounts."""

    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败 5 次账户将被锁定 15 分钟。",
        "inactive": "该账户已停用，请联系安全管理员。",
        "locked": "账户因连续登录失败已被锁定，请于 %(until)s 之后再试。",
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            until = getattr(self.request, "kechuang_locked_until", None)
            if until is not None:
                from django.utils import timezone

                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"until": timezone.localtime(until).strftime("%H:%M")},
                ) from None
            raise


class OtpForm(forms.Form):
    code = forms.CharField(label="动态口令（6 位数字）", max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric", "autofocus": True}))


#: a date field's widget: the browser's date picker, filled in ISO form (YYYY-MM-DD)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ChineseForm(forms.Form):
    """A form whose labels carry no English colon (Django's default label suffix)."""

    label_suffix = ""
