#include <QtTest>

class Test_imagefileinfo : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_imagefileinfo)
#include "tst_imagefileinfo.moc"
